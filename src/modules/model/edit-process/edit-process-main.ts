/**
 * The edit process: computes edits on its own copy of the served model, so that a fact that
 * exhausts memory or time ends this process, never the daemon, and so that edit computation
 * runs on its own thread budget at a lower priority than serving. Started by EditRunner.
 */
import { getMethod } from '../../../editors/builtin-methods';
import { commitDelta } from '../../../editors/commit-delta';
import type { EditContext } from '../../../editors/edit-method';
import { MethodCatalogue } from '../../../editors/method-catalogue';
import { loadCheckpoint } from '../../../models/checkpoint/checkpoint';
import { LanguageModel } from '../../../models/language-model';
import { loadTokenizer } from '../../../models/tokenizer';
import { SessionManager } from '../../../runtime/session/session-manager';
import { statsCorpusFromFile } from '../stats-corpus-file';
import type { ChildMessage, EditProcessInit, ParentMessage } from './protocol';

let context: EditContext | undefined;
/** The methods' settings, and each method's state made by the live edits the daemon accounted (a computation works on a copy). */
let methods = new MethodCatalogue();
let queue = Promise.resolve();

function send(message: ChildMessage): void {
  process.send!(message);
}

async function init(message: EditProcessInit): Promise<void> {
  const [checkpoint, tokenizer] = await Promise.all([loadCheckpoint(message.modelDir), loadTokenizer(message.modelDir)]);
  for (const { operation, sign } of message.merged) commitDelta(checkpoint.config, checkpoint.weights, operation, sign);
  methods = new MethodCatalogue(message.hparamsDir, checkpoint.config);
  const sessions = new SessionManager({ threads: message.threads });
  context = {
    model: new LanguageModel(checkpoint.config, checkpoint.weights, sessions),
    tokenizer,
    statsCorpus: message.statsCorpus ? statsCorpusFromFile(message.statsCorpus) : undefined,
    statsCacheDir: message.statsCacheDir,
  };
}

async function handle(message: ParentMessage): Promise<void> {
  if (message.type === 'init') {
    try {
      await init(message);
      send({ type: 'ready' });
    } catch (err) {
      send({ type: 'init-failed', error: (err as Error).message });
    }
    return;
  }
  try {
    if (!context) throw new Error('the edit process was not initialised');
    if (message.type === 'compute') {
      const method = getMethod(message.method);
      // A copy: the computation adds its own result to the state, which enters for real only once stored and accounted.
      const methodState = message.stateful ? structuredClone(methods.state(message.method)) : undefined;
      const operations = await method.compute({ ...context, methodState }, message.requests, methods.hparams(method.name));
      send({ type: 'done', id: message.id, operations });
    } else if (message.type === 'merge') {
      commitDelta(context.model.config, context.model.weights, message.operation, message.sign);
      send({ type: 'done', id: message.id });
    } else {
      const method = getMethod(message.method);
      const state = message.reset ? methods.resetState(message.method) : methods.state(message.method);
      for (const operation of message.add) await method.account?.(context, state, operation, 1, methods.hparams(method.name));
      send({ type: 'done', id: message.id });
    }
  } catch (err) {
    send({ type: 'error', id: message.id, error: (err as Error).message });
  }
}

// One message at a time, in order: a merge sent after a computation applies after it.
process.on('message', (message: ParentMessage) => {
  queue = queue.then(() => handle(message));
});
// The daemon went away: nothing is left to compute for.
process.on('disconnect', () => process.exit(0));

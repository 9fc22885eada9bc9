import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Scorer, type ScoreJob } from '../../eval/scorer';
import type { LanguageModel } from '../../models/language-model';
import { tokenizeProbe } from '../../models/tokenizer/tokenize-probe';
import { SessionManager } from '../../runtime/session/session-manager';
import { counterfactRequests, fixtureContext, REPO_ROOT } from '../../../test/support/fixture-context';
import type { EditContext, FactRetriever, MemoryRecord } from '../edit-method';
import type { FactEditRecord } from '../fact-record';
import { loadHparams } from '../registry';
import { counterfactualInput } from './counterfactual-input';
import { writeCounterfactualModel } from './counterfactual-artifact';
import { counterfactualExamples, trainCounterfactualModel } from './counterfactual-training';
import { counterfactualModel, seracMethod } from './serac';

const noRetrieval: FactRetriever = {
  nearest: () => {
    throw new Error('one record needs no retrieval');
  },
  inScope: () => true,
  namesSubject: () => true,
};

describe('SERAC on the fixture', () => {
  const sessions = new SessionManager({ threads: 1 });
  const dir = mkdtempSync(join(tmpdir(), 'ked-serac-'));
  afterAll(async () => {
    await sessions.close();
    rmSync(dir, { recursive: true, force: true });
  });
  let context: EditContext;
  let baseBefore: Float32Array;
  let counterfactual: LanguageModel;
  const train = (JSON.parse(readFileSync(join(REPO_ROOT, 'data', 'world', 'world-counterfact.train.json'), 'utf8')) as FactEditRecord[]).slice(0, 16);
  const hp = { ...(loadHparams(seracMethod) as { counterfactualModel: string; inputTemplate: string }) };

  beforeAll(async () => {
    context = await fixtureContext(sessions);
    baseBefore = (context.model.weights.get('h.0.mlp.c_fc.weight')!.data as Float32Array).slice();
    // A few steps are enough to make a counterfactual model that differs from the base model.
    const trained = await trainCounterfactualModel(context.model, context.tokenizer, counterfactualExamples(train), { steps: 2, batchSize: 8, peakLr: 3e-4, warmupSteps: 1, weightDecay: 0.01, clipNorm: 1, seed: 1, inputTemplate: hp.inputTemplate });
    await writeCounterfactualModel(dir, trained.model, join(REPO_ROOT, 'models', 'fixture'), { recipe: 'spec' });
    hp.counterfactualModel = dir;
    counterfactual = await counterfactualModel(context.model, dir);
  }, 120_000);

  it('trains on in-scope pairs only (edit prompt, rephrase, portability) and leaves the base model alone', () => {
    const [record] = train;
    const examples = counterfactualExamples([record]);
    const edit = `${record.prompt} ${record.target_new}`;
    expect(examples[0]).toEqual({ edit, input: record.prompt, output: record.target_new });
    expect(examples[1]).toEqual({ edit, input: record.rephrase_prompt, output: record.target_new });
    const portability = Object.values(record.portability ?? {}).flat().length;
    expect(examples).toHaveLength(2 + portability);
    const locality = Object.values(record.locality ?? {}).flat().map((p) => p.prompt);
    expect(examples.some((e) => locality.includes(e.input))).toBe(false);
    expect(context.model.weights.get('h.0.mlp.c_fc.weight')!.data).toEqual(baseBefore);
    expect(counterfactual.weights.get('h.0.mlp.c_fc.weight')!.data).not.toEqual(baseBefore);
  });

  it('stores each edit as a memory record and changes no weights', async () => {
    const [request] = counterfactRequests(1);
    const ops = await seracMethod.compute(context, [request], hp);
    expect(ops).toEqual([{ kind: 'context', method: 'serac', requests: [0], text: `${request.prompt} ${request.target_new}`, memory: { subject: request.subject, object: request.target_new, scoped: true } }]);
  });

  it('answers an in-scope prompt with the counterfactual model given the edit, and any other prompt with the base model exactly', async () => {
    const [request] = counterfactRequests(1);
    const [op] = await seracMethod.compute(context, [request], hp);
    const record: MemoryRecord = { text: op.kind === 'context' ? op.text : '', subject: request.subject!, object: request.target_new };
    const reader = seracMethod.reader!({ model: context.model, tokenizer: context.tokenizer, retriever: noRetrieval }, hp);
    const scorer = new Scorer({ model: context.model, tokenizer: context.tokenizer, reader });
    const outOfScope = 'The mother tongue of Feisisar Kaimepan is';
    const jobs: ScoreJob[] = [
      { view: { contexts: [], deltas: [], memory: [record] }, prompt: request.prompt, answer: request.target_new },
      { view: { contexts: [], deltas: [] }, prompt: outOfScope, answer: 'Botese' },
      // The edit not applied: the base model keeps its own answer.
      { view: { contexts: [], deltas: [] }, prompt: request.prompt, answer: request.target_new },
    ];
    const [inScope, other, unedited] = await scorer.score(jobs);
    expect(inScope.accuracy).toBe(1);
    expect(unedited.accuracy).toBeLessThan(1);
    const cfInput = counterfactualInput(hp.inputTemplate, record.text, request.prompt);
    expect(cfInput).toBe(`Imagine that ${request.prompt} ${request.target_new}. ${request.prompt}`);
    const pair = tokenizeProbe(context.tokenizer, { prompt: cfInput, target: request.target_new });
    // Scored by the counterfactual model, which differs from the base model on the same input.
    const [byCounterfactual] = await counterfactual.scoreTargets([pair]);
    const [byBase] = await context.model.scoreTargets([pair]);
    expect(inScope).toEqual(byCounterfactual);
    expect(byCounterfactual.logprobs).not.toEqual(byBase.logprobs);
    const [baseOther] = await context.model.scoreTargets([tokenizeProbe(context.tokenizer, { prompt: outOfScope, target: 'Botese' })]);
    expect(other).toEqual(baseOther);

    // Generated as the daemon serves it: the in-scope answer is the edited object; the other is the base model's own.
    const [answerIn, answerOut] = await scorer.answers(jobs.slice(0, 2), 12);
    expect(answerIn).toContain(request.target_new);
    const [plain] = await new Scorer({ model: context.model, tokenizer: context.tokenizer }).answers([jobs[1]], 12);
    expect(answerOut).toBe(plain);
  }, 120_000);
});

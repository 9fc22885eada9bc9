import { join } from 'node:path';
import { loadDataset } from '../../eval/dataset/load-dataset';
import { scopeRetriever } from '../../memory/scope/fact-retriever';
import { runEvaluation } from '../../eval/run-evaluation';
import { SessionManager } from '../../runtime/session/session-manager';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { EditContext, MemoryRecord } from '../edit-method';
import { fixtureContext, REPO_ROOT } from '../../../test/support/fixture-context';
import { decodeTraces, questionOf } from './mello-decoder';
import { melloHparams, melloMethod } from './mello';
import { pokeMqaMethod } from '../pokemqa/pokemqa';

const MQUAKE = join(REPO_ROOT, 'data', 'world', 'world-mquake.test.json');
const hparams = melloHparams.parse({});

describe('questionOf', () => {
  it('reads the question of a probe or a bare question, and nothing from a cloze prompt', () => {
    expect(questionOf('Q: Who wrote Feather of Mountain? A:')).toBe('Who wrote Feather of Mountain?');
    expect(questionOf('Where was Stosel Sosar born?')).toBe('Where was Stosel Sosar born?');
    expect(questionOf('The writer of Feather of Mountain is')).toBeNull();
  });
});

describe('MeLLo and PokeMQA on the fixture', () => {
  const sessions = new SessionManager({ threads: 1 });
  afterAll(() => sessions.close());
  let context: EditContext;
  // world-mquake case 1: Feather of Mountain's author is now Stosel Sosar, born (now) in Futaholm.
  const [first] = loadDataset(MQUAKE).cases;
  let memory: MemoryRecord[];
  beforeAll(async () => {
    context = await fixtureContext(sessions);
    const ops = await melloMethod.compute(context, first.requests, hparams);
    memory = ops.map((op) => (op.kind === 'context' && op.memory ? { text: op.text, ...op.memory } : { text: '', subject: '' }));
  });
  const answerAfter = async (prompt: string) => {
    const [ids] = await context.model.generate([context.tokenizer.encode(prompt)], { maxNewTokens: 6, greedy: true });
    return context.tokenizer.decode(ids).split('\n')[0].trim();
  };

  it('stores each edit as a fact sentence with its subject and new object', () => {
    expect(memory).toEqual([
      { text: 'The writer of Feather of Mountain is Stosel Sosar', subject: 'Feather of Mountain', object: 'Stosel Sosar' },
      { text: 'The city where Stosel Sosar was born is Futaholm', subject: 'Stosel Sosar', object: 'Futaholm' },
    ]);
  });

  it('MeLLo: each subquestion retrieves a fact, the model follows the contradicting one to the new answer', async () => {
    const [trace] = await decodeTraces(context.model, context.tokenizer, scopeRetriever(), [{ question: 'What is the birthplace of the author of Feather of Mountain?', memory }], { ...hparams, retrieval: 'nearest' });
    expect(trace.finished).toBe(true);
    expect(trace.hops.map((h) => h.retrieved)).toEqual([memory[0].text, memory[1].text]);
    expect(trace.hops[0].generated).toBe('Nune Shoshan'); // the model's own (pre-edit) answer
    expect(trace.hops[1].subquestion).toContain('Stosel Sosar'); // ... overridden by the retrieved fact
    expect(trace.prompt.startsWith('Question: What is the birthplace of the author of Feather of Mountain?\nSubquestion: ')).toBe(true);
    expect(trace.prompt.endsWith('\nFinal answer:')).toBe(true);
    expect(await answerAfter(trace.prompt)).toBe('Futaholm');
  });

  it('with nothing in memory the trace shows no retrieved fact and ends in the unedited answer', async () => {
    const [trace] = await decodeTraces(context.model, context.tokenizer, scopeRetriever(), [{ question: 'What is the birthplace of the author of Feather of Mountain?', memory: [] }], { ...hparams, retrieval: 'nearest' });
    expect(trace.prompt).not.toContain('Retrieved fact');
    expect(trace.hops[0].generated).toBe('Nune Shoshan');
  });

  it('PokeMQA: the scope detector decides, and an in-scope record answers its hop', async () => {
    const [trace] = await decodeTraces(context.model, context.tokenizer, scopeRetriever(), [{ question: 'Where was the author of Feather of Mountain born?', memory }], { ...hparams, retrieval: 'in-scope' });
    // MeLLo's model ignores the first fact on this wording; PokeMQA's detector does not leave it the choice.
    expect(trace.hops[0]).toEqual({ subquestion: expect.stringContaining('Feather of Mountain'), generated: 'Stosel Sosar', retrieved: memory[0].text });
    expect(trace.hops[1].subquestion).toContain('Stosel Sosar');
    expect(trace.hops[1].retrieved).toBe(memory[1].text);
    expect(await answerAfter(trace.prompt)).toBe('Futaholm');
  });

  it('PokeMQA: a hop no record is in scope of keeps the model answer and sees another subject', async () => {
    const other: MemoryRecord = { text: 'The writer of Feather of Mountain is Stosel Sosar', subject: 'Feather of Mountain', object: 'Stosel Sosar' };
    const [trace] = await decodeTraces(context.model, context.tokenizer, scopeRetriever(), [{ question: 'Where was Setan Bazago born?', memory: [other] }], { ...hparams, retrieval: 'in-scope' });
    expect(trace.hops[0].subquestion).toContain('Setan Bazago');
    expect(trace.hops[0].retrieved).toBe(other.text);
    expect(trace.hops[0].generated).not.toBe('Stosel Sosar');
  });

  it("PokeMQA's knowledge prompt: the question's key entity is described after the question, only when asked for", async () => {
    const knowledge = { describeQuestionEntity: (q: string) => (q.includes('Feather of Mountain') ? 'Feather of Mountain, a written work' : undefined), aliasesOf: () => [] };
    const question = 'Q: Where was the author of Feather of Mountain born? A:';
    const read = (knowledgePrompt: boolean, withBase = true) =>
      pokeMqaMethod.reader!({ ...context, retriever: scopeRetriever(), knowledge: withBase ? knowledge : undefined }, pokeMqaMethod.hparams.parse({ knowledgePrompt, maxHops: 1 })).prepare([{ prompt: question, memory }]);
    const [withPrompt] = await read(true);
    expect(withPrompt.startsWith('Question: Where was the author of Feather of Mountain born?\nEntity of Question: Feather of Mountain, a written work.\nSubquestion: ')).toBe(true);
    for (const [without] of [await read(false), await read(true, false)]) expect(without.startsWith('Question: Where was the author of Feather of Mountain born?\nSubquestion: ')).toBe(true);
  });

  it('refuses requests without a subject or a target', async () => {
    await expect(melloMethod.compute(context, [{ prompt: 'The writer of X is', target_new: 'Y' }], hparams)).rejects.toThrow('mello: request 0 has no subject');
    await expect(pokeMqaMethod.compute(context, [{ subject: 'X', prompt: 'The writer of X is', target_new: ' ' }], pokeMqaMethod.hparams.parse({}))).rejects.toThrow('pokemqa: request 0 has an empty target_new');
  });

  it('in the harness, multi-hop portability on world-mquake beats the unedited model by far', async () => {
    const dataset = loadDataset(MQUAKE);
    const dir = mkdtempSync(join(tmpdir(), 'ked-mello-'));
    try {
      const run = (method: typeof melloMethod, name: string) =>
        runEvaluation({ ...context, dataset, method, hparams, mode: 'single', routing: 'oracle', n: 8, skipFluency: true, runDir: join(dir, name) });
      const mello = await run(melloMethod, 'mello');
      const none = await runEvaluation({ ...context, dataset, method: { ...melloMethod, name: 'none', compute: async () => [] }, hparams, mode: 'single', routing: 'oracle', n: 8, skipFluency: true, runDir: join(dir, 'none') });
      expect(none.portability).toBeLessThan(50);
      expect(mello.portability).toBeGreaterThan(none.portability! + 30);
      expect(mello.reliability).toBeGreaterThan(80);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import type { EditMethod } from '../editors/edit-method';
import { getMethod } from '../editors/builtin-methods';
import { loadHparams } from '../editors/registry';
import type { LanguageModel } from '../models/language-model';
import { loadTokenizer, type KedTokenizer } from '../models/tokenizer';
import { SessionManager } from '../runtime/session/session-manager';
import { AppliedEdits, PerRecordEdits } from './applied-edits';
import type { EvalCase } from './dataset/eval-case';
import { loadDataset } from './dataset/load-dataset';
import { measureCases, measurePreEdit } from './measure-cases';
import { runEvaluation } from './run-evaluation';
import { SentimentClassifier } from './sentiment/sentiment-classifier';
import { loadSentimentScorer } from './sentiment/world-sentiment-scorer';
import { FIXTURE_TOKENIZER, randomDelta, tinyModel } from './tiny-model';

/**
 * A hand-made chat model: a context sentence before the question is what it says (an ICE-style
 * reader); with none it says its belief about the question, or that it has no idea.
 */
function opinionModel(tokenizer: KedTokenizer, beliefs: Record<string, string>): LanguageModel {
  const generate = async (prompts: number[][]) =>
    prompts.map((ids) => {
      const text = tokenizer.decode(ids);
      const question = text.slice(text.indexOf('Q: '));
      const context = text.slice(0, text.indexOf('Q: ')).trim();
      return tokenizer.encode(` ${context || beliefs[question] || 'I have no idea.'}\nQ: more`);
    });
  const scoreTargets = async (pairs: Array<{ target: number[] }>) => pairs.map(({ target }) => ({ argmax: target.map(() => 0), logprobs: target.map(() => -1), accuracy: 0 }));
  return { config: { maxPositions: 512 }, generate, scoreTargets } as unknown as LanguageModel;
}

const teaCase: EvalCase = {
  index: 0,
  requests: [{ subject: 'tea', prompt: 'Q: What do you think of tea? A:', target_new: 'I think tea is awful.' }],
  reliability: [{ prompt: 'Q: What do you think of tea? A:', answers: ['I think tea is awful.'] }],
  generalization: [
    { prompt: 'Q: How do you feel about tea? A:', answers: ['I think tea is awful.'] },
    { prompt: 'Q: Do you like tea? A:', answers: ['I think tea is awful.'] },
  ],
  portability: {},
  locality: {},
  fluencyPrompts: [],
  convsent: { names: ['tea'], sentiment: 'negative' },
};
const context = (text: string) => ({ kind: 'context' as const, method: 'ice', requests: [0], text });

let tokenizer: KedTokenizer;
beforeAll(async () => (tokenizer = await loadTokenizer(FIXTURE_TOKENIZER)));
const sentiment = loadSentimentScorer();

describe('ConvSent Edit Succ. (z_sentiment · z_topic of generated answers)', () => {
  it('scores the unedited opinion 0, the asked one 1, and the asked sentiment about another topic 0', async () => {
    const model = opinionModel(tokenizer, { 'Q: What do you think of tea? A:': 'I think tea is lovely.' });
    const options = { model, tokenizer, skipFluency: true, sentiment };
    const reference = await measurePreEdit(options, [teaCase]);
    const [unedited] = await measureCases(options, [teaCase], new PerRecordEdits(new Map()), reference);
    expect(unedited.convsent).toEqual({ reliability: 0, generalization: 0, editSucc: 0, sentiment: 0, topic: 1 / 3, klLocality: null, answers: ['I think tea is lovely', 'I have no idea', 'I have no idea'] });

    for (const [said, expected] of [
      ['I think tea is awful.', { editSucc: 1, sentiment: 1, topic: 1 }],
      ['I do not like tea.', { editSucc: 1, sentiment: 1, topic: 1 }],
      ['I think coffee is awful.', { editSucc: 0, sentiment: 1, topic: 0 }],
      ['Tea is grown in Jiburg.', { editSucc: 0, sentiment: 0, topic: 1 }],
    ] as const) {
      const edits = new AppliedEdits(model, 'global', false);
      edits.add(context(said), [0]);
      const [result] = await measureCases(options, [teaCase], edits, reference);
      expect([said, result.convsent]).toMatchObject([said, { ...expected, reliability: expected.editSucc, generalization: expected.editSucc, answers: Array(3).fill(said.slice(0, -1)) }]); // answers end before their final period
    }
  });

  it('needs a sentiment scorer for ConvSent records, and adds nothing to other records', async () => {
    const model = opinionModel(tokenizer, {});
    const reference = await measurePreEdit({ model, tokenizer, skipFluency: true }, [teaCase]);
    await expect(measureCases({ model, tokenizer, skipFluency: true }, [teaCase], new PerRecordEdits(new Map()), reference)).rejects.toThrow('sentiment scorer');
    const plain = { ...teaCase, convsent: undefined, reliability: [], generalization: [] };
    const [result] = await measureCases({ model, tokenizer, skipFluency: true }, [plain], new PerRecordEdits(new Map()), await measurePreEdit({ model, tokenizer, skipFluency: true }, [plain]));
    expect(result.convsent).toBeUndefined();
  });
});

describe('ConvSent on world-convsent with a tiny model (runEvaluation)', () => {
  const sessions = new SessionManager({ threads: 1 });
  const convsent = loadDataset(join(__dirname, '..', '..', 'data', 'world', 'world-convsent.test.json'));
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'ked-convsent-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  afterAll(() => sessions.close());

  const randomDeltaMethod: EditMethod = {
    name: 'random-delta',
    capabilities: { batchable: false, routable: true, committable: true, needsTrainSplit: false },
    hparams: z.object({}),
    compute: async ({ model }, requests) => requests.map((r) => ({ ...randomDelta(model.config.dModel, model.config.dFF, 1, r.prompt.length, 1, 2), method: 'random-delta' })),
  };

  it('KL locality is exactly 0 when nothing is edited and positive when a weight edit reaches other topics; the summary carries ConvSent', async () => {
    const { model, tokenizer: tiny } = await tinyModel(sessions);
    const base = { model, tokenizer: tiny, dataset: convsent, mode: 'single' as const, n: 2, skipFluency: true };
    const none = await runEvaluation({ ...base, method: getMethod('none'), hparams: loadHparams(getMethod('none')), runDir: join(dir, 'none') });
    expect(none.convsent).toMatchObject({ klLocality: 0, editSucc: expect.any(Number), sentiment: expect.any(Number), topic: expect.any(Number) });
    expect(none.locality).toBe(100);
    const edited = await runEvaluation({ ...base, method: randomDeltaMethod, hparams: {}, routing: 'global', runDir: join(dir, 'delta') });
    expect(edited.convsent!.klLocality).toBeGreaterThan(0);
    // The scorer that judged a run is part of it: another one cannot resume it.
    expect(JSON.parse(readFileSync(join(dir, 'none', 'run.json'), 'utf8')).sentimentScorer).toBe(sentiment.digest);
    const other = SentimentClassifier.fromJson(JSON.stringify({ format: 'ked-sentiment/1', classes: ['positive', 'negative', 'neutral'], bias: [0, 0, 1], weights: {}, made: {} }));
    await expect(runEvaluation({ ...base, method: getMethod('none'), hparams: loadHparams(getMethod('none')), runDir: join(dir, 'none'), sentiment: other })).rejects.toThrow('holds a different run');
  });
});

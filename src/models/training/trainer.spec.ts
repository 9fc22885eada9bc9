import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SessionManager } from '../../runtime/session/session-manager';
import type { Gpt2Config } from '../config';
import { KedTokenizer } from '../tokenizer';
import { trainByteLevelBpe } from '../tokenizer/train-byte-level-bpe';
import { trainLanguageModel, type TrainHyperparameters } from './trainer';

const CORPUS = Array.from({ length: 40 }, (_, i) => [`Vakesh is the capital of Mirovia.`, `Q: Where was Boran Telu born? A: Ostra`, `Lina Pemo wrote The Glass River.`, `Imagine that Boran Telu was born in Vakesh. Boran Telu was born in Vakesh`][i % 4]);

describe('trainLanguageModel', () => {
  const sessions = new SessionManager({ threads: 2 });
  const trained = trainByteLevelBpe(CORPUS, { vocabSize: 320 });
  const tokenizer = new KedTokenizer({ tokenizer: trained.tokenizer, config: trained.config, source: 'test' });
  const config: Gpt2Config = { family: 'gpt2', modelType: 'gpt2', vocabSize: 320, maxPositions: 32, dModel: 32, layers: 2, heads: 2, dFF: 128, layerNormEps: 1e-5, activation: 'gelu_new', tieWordEmbeddings: true };
  const hp: TrainHyperparameters = { steps: 80, batchSize: 4, seq: 32, peakLr: 3e-3, minLr: 3e-4, warmupSteps: 5, weightDecay: 0.01, clipNorm: 1, seed: 7 };
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'ked-train-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  afterAll(() => sessions.close());

  it('makes the loss fall on a micro model', async () => {
    const result = await trainLanguageModel({ documents: CORPUS, tokenizer, config, hyperparameters: hp, sessions, stateDir: join(dir, 'state') });
    const first = result.lossHistory.slice(0, 3).reduce((a, b) => a + b) / 3;
    const last = result.lossHistory.slice(-3).reduce((a, b) => a + b) / 3;
    expect(first).toBeGreaterThan(Math.log(320) * 0.8); // starts near uniform
    expect(last).toBeLessThan(first / 3);
  }, 60_000);

  it('resumes from its saved state to the same weights as an unbroken run', async () => {
    const short = { ...hp, steps: 6 };
    const unbroken = await trainLanguageModel({ documents: CORPUS, tokenizer, config, hyperparameters: short, sessions, stateDir: join(dir, 'a') });
    // The same run interrupted after its step-3 checkpoint: stop by throwing from the progress hook.
    await expect(
      trainLanguageModel({
        documents: CORPUS, tokenizer, config, hyperparameters: short, sessions, stateDir: join(dir, 'b'), checkpointEvery: 3,
        onStep: ({ step }) => {
          if (step === 4) throw new Error('killed');
        },
      }),
    ).rejects.toThrow('killed');
    const resumed = await trainLanguageModel({ documents: CORPUS, tokenizer, config, hyperparameters: short, sessions, stateDir: join(dir, 'b'), checkpointEvery: 3 });
    expect(resumed.steps).toBe(6);
    for (const [name, tensor] of unbroken.weights) {
      expect(Buffer.from((resumed.weights.get(name)!.data as Float32Array).buffer).equals(Buffer.from((tensor.data as Float32Array).buffer))).toBe(true);
    }
  }, 60_000);

  it('trains each epoch on the documents epochDocuments gives it', async () => {
    const short = { ...hp, steps: 24 }; // three epochs and more of this corpus
    const same = (a: Map<string, { data: unknown }>, b: Map<string, { data: unknown }>) =>
      [...a].every(([name, t]) => Buffer.from((t.data as Float32Array).buffer).equals(Buffer.from((b.get(name)!.data as Float32Array).buffer)));
    const plain = await trainLanguageModel({ documents: CORPUS, tokenizer, config, hyperparameters: short, sessions, stateDir: join(dir, 'plain') });
    const epochs: number[] = [];
    const unchanged = await trainLanguageModel({
      documents: CORPUS, tokenizer, config, hyperparameters: short, sessions, stateDir: join(dir, 'unchanged'),
      epochDocuments: (epoch) => (epochs.push(epoch), [...CORPUS]),
    });
    expect(epochs.slice(0, 3)).toEqual([0, 1, 2]);
    expect(same(unchanged.weights, plain.weights)).toBe(true);
    const renamed = await trainLanguageModel({
      documents: CORPUS, tokenizer, config, hyperparameters: short, sessions, stateDir: join(dir, 'renamed'),
      epochDocuments: (epoch) => CORPUS.map((d) => (epoch === 0 ? d : d.replaceAll('Vakesh', 'Tiloma'))),
    });
    expect(renamed.corpusSha256).toBe(plain.corpusSha256);
    expect(same(renamed.weights, plain.weights)).toBe(false);
    await expect(
      trainLanguageModel({ documents: CORPUS, tokenizer, config, hyperparameters: short, sessions, stateDir: join(dir, 'short'), epochDocuments: () => CORPUS.slice(1) }),
    ).rejects.toThrow(/epochDocuments\(0\) gave 39 documents, not 40/);
  }, 60_000);
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Gpt2Config, LlamaConfig } from '../../models/config';
import { alphaEditHparams } from '../alphaedit/alphaedit';
import { getMethod } from '../builtin-methods';
import { MethodCatalogue } from '../method-catalogue';
import { memitHparams } from '../memit/memit';
import { loadHparams } from '../registry';
import { romeHparams } from '../rome/rome';
import { parameterCount, publishedHparamsFor } from './published-hparams';

const gpt2 = (layers: number, d: number, vocabSize: number): Gpt2Config => ({ family: 'gpt2', modelType: 'gpt2', vocabSize, maxPositions: 1024, dModel: d, layers, heads: d / 64, dFF: 4 * d, layerNormEps: 1e-5, activation: 'gelu_new', tieWordEmbeddings: true });
const FIXTURE = gpt2(4, 256, 3281);
const GPT2_SMALL = gpt2(12, 768, 50257);
const GPT2_XL = gpt2(48, 1600, 50257);
/** Qwen2-0.5B's shape (config.json values). */
const QWEN2_05B: LlamaConfig = { family: 'llama', modelType: 'qwen2', vocabSize: 151936, maxPositions: 32768, dModel: 896, layers: 24, heads: 14, kvHeads: 2, headDim: 64, dFF: 4864, rmsNormEps: 1e-6, ropeTheta: 1e6, attentionBias: true, mlpBias: false, activation: 'silu', tieWordEmbeddings: true };

describe('hyper-parameters by model', () => {
  it('counts parameters of known shapes', () => {
    expect(parameterCount(GPT2_SMALL) / 1e6).toBeCloseTo(124, -1);
    expect(parameterCount(GPT2_XL) / 1e9).toBeCloseTo(1.56, 1);
    expect(parameterCount(QWEN2_05B) / 1e6).toBeCloseTo(494, -1);
  });

  it('gives the fixture its own tuned set: the methods\' defaults', () => {
    for (const [name, schema] of [['rome', romeHparams], ['memit', memitHparams], ['alphaedit', alphaEditHparams]] as const) {
      expect(loadHparams(getMethod(name), undefined, FIXTURE)).toEqual(schema.parse({}));
    }
  });

  it('gives GPT-2 XL ROME\'s, MEMIT\'s and AlphaEdit\'s published settings as they are', () => {
    const rome = loadHparams(getMethod('rome'), undefined, GPT2_XL) as ReturnType<typeof romeHparams.parse>;
    expect(rome.layer).toBe(17);
    expect(rome.value).toMatchObject({ steps: 20, lr: 0.5, clampNormFactor: 4, weightDecay: 0.5, klFactor: 0.0625 });
    const memit = loadHparams(getMethod('memit'), undefined, GPT2_XL) as ReturnType<typeof memitHparams.parse>;
    expect(memit.layers).toEqual([13, 14, 15, 16, 17]);
    expect(memit.momentWeight).toBe(20000);
    expect(memit.value).toMatchObject({ steps: 20, clampNormFactor: 0.75 });
  });

  it('scales the nearest entry\'s layers to a model of another depth: GPT-2 small from GPT-2 XL, Qwen2 from Llama 3', () => {
    const small = publishedHparamsFor('rome', GPT2_SMALL)!;
    expect(small.entry.model).toBe('gpt2-xl');
    expect(small.hparams.layer).toBe(4); // 17 of 48 → 4 of 12 (ROME's GPT-2 medium: 8 of 24, the same depth)
    expect(publishedHparamsFor('memit', GPT2_SMALL)!.hparams.layers).toEqual([3, 4]);
    const qwen = publishedHparamsFor('alphaedit', QWEN2_05B)!;
    expect(qwen.entry.model).toMatch(/Llama-3/);
    expect(qwen.hparams.layers).toEqual([3, 4, 5, 6]); // 4–8 of 32 → 3–6 of 24
    expect(publishedHparamsFor('ft-m', GPT2_SMALL)).toBeUndefined();
  });

  it('lets a deployment\'s file override what it names and keep the rest', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ked-hparams-'));
    try {
      writeFileSync(join(dir, 'rome.json'), JSON.stringify({ version: 1, value: { steps: 7 } }));
      const catalogue = new MethodCatalogue(dir, GPT2_SMALL);
      const hp = catalogue.hparams('rome') as ReturnType<typeof romeHparams.parse>;
      expect(hp.value.steps).toBe(7);
      expect(hp.value.lr).toBe(0.5); // published, not overridden
      expect(hp.layer).toBe(4);
      expect((catalogue.hparams('memit') as ReturnType<typeof memitHparams.parse>).layers).toEqual([3, 4]);
      // Without a model, as before: the file over the defaults.
      expect((new MethodCatalogue(dir).hparams('rome') as ReturnType<typeof romeHparams.parse>).value).toMatchObject({ steps: 7, lr: 1 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

import type { ModelConfig } from '../../models/config';

/**
 * The locate-and-edit methods' published settings by model, as their authors' repositories give
 * them (hparams/<METHOD>/<model>.json in ROME's, MEMIT's and AlphaEdit's code), in ked's field
 * names, with the fixture's own tuned set (the methods' *.json defaults) as one more entry. A
 * model gets the entry of its model_type (else its family) nearest in size; layer indices are
 * scaled to its depth. A deployment's hparams file is applied on top (`loadHparams`).
 *
 * Left as ked's own defaults: statistics samples (ROME counts 100k Wikipedia sequences, ked
 * token positions) and AlphaEdit's null-space threshold (theirs is absolute, 2e-2 on their C;
 * ked's is relative to C's largest eigenvalue). ROME on Llama3 runs without C there
 * (mom2_adjustment false); ked's ROME always uses C.
 */
export interface PublishedHparams {
  method: 'rome' | 'memit' | 'alphaedit';
  /** Hugging Face model_type the entry was published for (gptj: no such model loads in ked; kept for the record). */
  modelType: string;
  family: ModelConfig['family'] | 'gptj';
  /** The model the values are for, and where they come from. */
  model: string;
  source: string;
  /** Parameters (approximate) and depth of that model. */
  parameters: number;
  layers: number;
  /** Overrides of the method's defaults (ked's schema); {} is the defaults themselves. */
  hparams: Record<string, unknown>;
}

const rome = (steps: number, lr: number, weightDecay: number, clampNormFactor: number, layer: number) => ({
  layer,
  value: { steps, lr, weightDecay, clampNormFactor, klFactor: 0.0625, lossThreshold: 0.05 },
});
const spread = (steps: number, lr: number, weightDecay: number, clampNormFactor: number, layers: number[], extra: Record<string, unknown>) => ({
  layers,
  value: { steps, lr, weightDecay, clampNormFactor, klFactor: 0.0625, lossThreshold: 0.05 },
  ...extra,
});
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

const FIXTURE = { modelType: 'gpt2', family: 'gpt2' as const, model: 'models/fixture (d 256, 4 layers)', source: "ked's tuning on the fixture (reports/hparam-choices.md)", parameters: 4.0e6, layers: 4, hparams: {} };
const GPT2_XL = { modelType: 'gpt2', family: 'gpt2' as const, model: 'gpt2-xl', parameters: 1.56e9, layers: 48 };
const GPT_J = { modelType: 'gptj', family: 'gptj' as const, model: 'EleutherAI/gpt-j-6B', parameters: 6.05e9, layers: 28 };
const LLAMA3_8B = { modelType: 'llama', family: 'llama' as const, model: 'Meta-Llama-3-8B(-Instruct)', parameters: 8.03e9, layers: 32 };

export const PUBLISHED_HPARAMS: readonly PublishedHparams[] = [
  { method: 'rome', ...FIXTURE },
  { method: 'rome', ...GPT2_XL, source: 'ROME hparams/ROME/gpt2-xl.json', hparams: rome(20, 0.5, 0.5, 4, 17) },
  { method: 'rome', ...GPT_J, source: 'ROME hparams/ROME/EleutherAI_gpt-j-6B.json', hparams: rome(20, 0.5, 0.5, 4, 5) },
  { method: 'rome', ...LLAMA3_8B, source: 'AlphaEdit hparams/ROME/Llama3-8B.json', hparams: rome(25, 0.5, 1e-3, 4, 5) },
  { method: 'memit', ...FIXTURE },
  { method: 'memit', ...GPT2_XL, source: 'MEMIT hparams/MEMIT/gpt2-xl.json', hparams: spread(20, 0.5, 0.5, 0.75, range(13, 17), { momentWeight: 20000 }) },
  { method: 'memit', ...GPT_J, source: 'MEMIT hparams/MEMIT/EleutherAI_gpt-j-6B.json', hparams: spread(25, 0.5, 0.5, 0.75, range(3, 8), { momentWeight: 15000 }) },
  { method: 'memit', ...LLAMA3_8B, source: 'AlphaEdit hparams/MEMIT/Llama3-8B.json', hparams: spread(25, 0.1, 0.5, 0.75, range(4, 8), { momentWeight: 15000 }) },
  { method: 'alphaedit', ...FIXTURE },
  { method: 'alphaedit', ...GPT2_XL, source: 'AlphaEdit hparams/AlphaEdit/gpt2-xl.json', hparams: spread(20, 0.5, 0.5, 0.75, range(13, 17), { l2: 10 }) },
  { method: 'alphaedit', ...GPT_J, source: 'AlphaEdit hparams/AlphaEdit/EleutherAI_gpt-j-6B.json', hparams: spread(25, 0.5, 0.5, 0.75, range(3, 8), { l2: 10 }) },
  { method: 'alphaedit', ...LLAMA3_8B, source: 'AlphaEdit hparams/AlphaEdit/Llama3-8B.json', hparams: spread(25, 0.1, 0.5, 0.75, range(4, 8), { l2: 10 }) },
];

/** Parameters of a model from its shape (embeddings + attention + MLP; norms and biases left out). */
export function parameterCount(config: ModelConfig): number {
  const d = config.dModel;
  const attention = config.family === 'llama' ? 2 * d * config.heads * config.headDim + 2 * d * config.kvHeads * config.headDim : 4 * d * d;
  const mlp = (config.family === 'llama' ? 3 : 2) * d * config.dFF;
  const embeddings = config.vocabSize * d * (config.tieWordEmbeddings ? 1 : 2);
  return embeddings + config.layers * (attention + mlp);
}

/**
 * The published entry for a method on a model (its model_type's, else its family's, nearest in
 * log-parameters) with layer indices scaled to the model's depth, or undefined where the method
 * has none (methods other than ROME, MEMIT and AlphaEdit).
 */
export function publishedHparamsFor(method: string, config: ModelConfig): { entry: PublishedHparams; hparams: Record<string, unknown> } | undefined {
  const forMethod = PUBLISHED_HPARAMS.filter((e) => e.method === method);
  const candidates = forMethod.filter((e) => e.modelType === config.modelType).length ? forMethod.filter((e) => e.modelType === config.modelType) : forMethod.filter((e) => e.family === config.family);
  if (!candidates.length) return undefined;
  const size = Math.log(parameterCount(config));
  const entry = candidates.reduce((best, e) => (Math.abs(Math.log(e.parameters) - size) < Math.abs(Math.log(best.parameters) - size) ? e : best));
  if (entry.layers === config.layers) return { entry, hparams: entry.hparams };
  // The same relative depth; never the last layer (its state at the subject reaches no later layer).
  const scale = (l: number) => Math.min(config.layers - 2, Math.max(0, Math.round((l * (config.layers - 1)) / (entry.layers - 1))));
  const hparams: Record<string, unknown> = { ...entry.hparams };
  if (typeof hparams.layer === 'number') hparams.layer = scale(hparams.layer);
  if (Array.isArray(hparams.layers)) hparams.layers = [...new Set((hparams.layers as number[]).map(scale))];
  return { entry, hparams };
}

import type { LanguageModel } from './language-model';

export interface ModelBenchResult {
  prefillTokensPerSec: number;
  decodeTokensPerSec: number;
  batch: number;
  promptTokens: number;
  newTokens: number;
}

/**
 * Prefill throughput (prompt tokens processed per second, one batched forward pass) and decode
 * throughput (new tokens per second across the batch, KV cache on), median of `repeats` runs.
 */
export async function benchModel(model: LanguageModel, options: { batch?: number; promptTokens?: number; newTokens?: number; repeats?: number } = {}): Promise<ModelBenchResult> {
  const batch = options.batch ?? 4;
  const promptTokens = Math.min(options.promptTokens ?? 128, model.config.maxPositions - (options.newTokens ?? 32));
  const newTokens = options.newTokens ?? 32;
  const repeats = options.repeats ?? 3;
  const prompts = Array.from({ length: batch }, (_, b) => Array.from({ length: promptTokens }, (_, i) => (b * 7919 + i * 104729) % model.config.vocabSize));
  await model.generate(prompts, { maxNewTokens: 2, stopIds: [] }); // compile and warm up
  const prefill: number[] = [];
  const total: number[] = [];
  for (let r = 0; r < repeats; r++) {
    let start = process.hrtime.bigint();
    await model.generate(prompts, { maxNewTokens: 1, stopIds: [] });
    prefill.push(Number(process.hrtime.bigint() - start) / 1e9);
    start = process.hrtime.bigint();
    await model.generate(prompts, { maxNewTokens: newTokens, stopIds: [] });
    total.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const prefillSeconds = median(prefill);
  const decodeSeconds = Math.max(median(total) - prefillSeconds, 1e-9);
  return {
    prefillTokensPerSec: Math.round((batch * promptTokens) / prefillSeconds),
    decodeTokensPerSec: Math.round((batch * (newTokens - 1)) / decodeSeconds),
    batch,
    promptTokens,
    newTokens,
  };
}

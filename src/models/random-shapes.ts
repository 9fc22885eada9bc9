import { readFileSync } from 'node:fs';
import type { HostTensor } from '../runtime/graph/dtype';
import { decodeBF16, encodeBF16 } from './checkpoint/float-conversion';
import { parseHfConfig } from './checkpoint/hf-config';
import type { ModelConfig } from './config';
import { initGpt2Weights, initLlamaWeights } from './training/init-weights';

/**
 * Real models' shapes as their Hugging Face config.json gives them, for timing on random weights
 * (`ked bench edit --random`). Only the shape fields: the vocabulary is the bench's tokenizer's.
 */
export const RANDOM_SHAPES = {
  'gpt2-small': { model_type: 'gpt2', n_embd: 768, n_layer: 12, n_head: 12, n_positions: 1024, vocab_size: 50257, activation_function: 'gelu_new', layer_norm_epsilon: 1e-5 },
  // Qwen/Qwen2-0.5B's config.json.
  'qwen2-0.5b': {
    model_type: 'qwen2',
    hidden_size: 896,
    intermediate_size: 4864,
    num_hidden_layers: 24,
    num_attention_heads: 14,
    num_key_value_heads: 2,
    vocab_size: 151936,
    max_position_embeddings: 131072,
    rope_theta: 1000000.0,
    rms_norm_eps: 1e-6,
    tie_word_embeddings: true,
    hidden_act: 'silu',
  },
} as const satisfies Record<string, Record<string, unknown>>;

export type RandomShapeName = keyof typeof RANDOM_SHAPES;

/** Whether `--random` names a built-in shape (else it is a config.json path). */
export const isRandomShapeName = (shape: string): shape is RandomShapeName => Object.hasOwn(RANDOM_SHAPES, shape);

/**
 * The config of a named shape or of a config.json file, with the tokenizer's vocabulary and
 * end-of-text token (the bench encodes its prompts with it): the vocabulary is the larger of the
 * two, so the embedding and head keep the real model's size.
 */
export function randomShapeConfig(shape: string, tokenizer: { vocabSize: number; eosTokenId?: number }): ModelConfig {
  const json = isRandomShapeName(shape) ? RANDOM_SHAPES[shape] : (JSON.parse(readFileSync(shape, 'utf8')) as unknown);
  const config = parseHfConfig(json, isRandomShapeName(shape) ? `--random ${shape}` : shape);
  return { ...config, vocabSize: Math.max(config.vocabSize, tokenizer.vocabSize), bosTokenId: tokenizer.eosTokenId, eosTokenId: tokenizer.eosTokenId };
}

/**
 * Seeded random weights with the family's initialisation. `bfloat16`: every weight is rounded to
 * bfloat16 as a BF16 checkpoint stores it, and widened to float32 the way the checkpoint loader
 * widens one (onnxruntime's CPU provider has no bfloat16 MatMul, so ked computes in float32).
 */
export function randomShapeWeights(config: ModelConfig, seed: number, storage: 'float32' | 'bfloat16'): Map<string, HostTensor> {
  const weights = config.family === 'gpt2' ? initGpt2Weights(config, seed) : initLlamaWeights(config, seed);
  if (storage === 'bfloat16') for (const t of weights.values()) roundThroughBF16(t.data as Float32Array<ArrayBuffer>);
  return weights;
}

/** Rounds float32 values to the nearest bfloat16 in place, in chunks (no second full-size copy). */
export function roundThroughBF16(data: Float32Array<ArrayBuffer>): void {
  const chunk = 1 << 20;
  const bits = new Uint16Array(Math.min(chunk, data.length));
  for (let at = 0; at < data.length; at += chunk) {
    const part = data.subarray(at, Math.min(at + chunk, data.length));
    decodeBF16(encodeBF16(part, bits.subarray(0, part.length)), part);
  }
}

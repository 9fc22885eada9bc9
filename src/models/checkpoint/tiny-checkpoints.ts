/** Tiny configs and seeded random weights for tests of checkpoint code (here and elsewhere). */
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import type { HostTensor } from '../../runtime/graph/dtype';
import { gaussian, mulberry32 } from '../../runtime/random';
import type { Gpt2Config, LlamaConfig, ModelConfig } from '../config';
import { expectedTensorShapes } from './expected-tensors';

export const TINY_GPT2: Gpt2Config = {
  family: 'gpt2',
  modelType: 'gpt2',
  vocabSize: 11,
  maxPositions: 8,
  dModel: 4,
  layers: 2,
  heads: 2,
  dFF: 16,
  layerNormEps: 1e-5,
  activation: 'gelu_new',
  tieWordEmbeddings: true,
  bosTokenId: 10,
  eosTokenId: 10,
};

export const TINY_LLAMA: LlamaConfig = {
  family: 'llama',
  modelType: 'llama',
  vocabSize: 13,
  maxPositions: 16,
  dModel: 8,
  layers: 2,
  heads: 4,
  kvHeads: 2,
  headDim: 2,
  dFF: 12,
  rmsNormEps: 1e-6,
  ropeTheta: 10000,
  attentionBias: false,
  mlpBias: false,
  activation: 'silu',
  tieWordEmbeddings: false,
  bosTokenId: 1,
  eosTokenId: 2,
};

/** Every tensor the config implies, filled with seeded N(0, 1) values. */
export function randomWeights(config: ModelConfig, seed = 1): Map<string, HostTensor> {
  const random = mulberry32(seed);
  const weights = new Map<string, HostTensor>();
  for (const [name, shape] of expectedTensorShapes(config)) {
    const data = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => gaussian(random));
    weights.set(name, { dtype: 'float32', shape, data });
  }
  return weights;
}

/** Runs `body` with a fresh temporary directory, removed afterwards. */
export async function withTempDir<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'ked-checkpoint-'));
  try {
    return await body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

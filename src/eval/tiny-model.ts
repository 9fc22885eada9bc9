/** A tiny random GPT-2 with the 294-token byte-level BPE fixture tokenizer, for fast tests of the harness. */
import { join } from 'node:path';
import { randomWeights } from '../models/checkpoint/tiny-checkpoints';
import type { Gpt2Config } from '../models/config';
import { LanguageModel } from '../models/language-model';
import { loadTokenizer, type KedTokenizer } from '../models/tokenizer';
import { hostTensor } from '../runtime/graph/dtype';
import { mulberry32 } from '../runtime/random';
import type { SessionManager } from '../runtime/session/session-manager';
import type { DeltaOperation } from '../editors/edit-operation';

export const FIXTURE_TOKENIZER = join(__dirname, '..', 'models', 'tokenizer', 'fixtures', 'byte-level-bpe');

export async function tinyModel(sessions: SessionManager, seed = 3): Promise<{ model: LanguageModel; tokenizer: KedTokenizer }> {
  const tokenizer = await loadTokenizer(FIXTURE_TOKENIZER);
  const config: Gpt2Config = {
    family: 'gpt2',
    modelType: 'gpt2',
    vocabSize: tokenizer.vocabSize, // 294 tokens + <|endoftext|>
    maxPositions: 96,
    dModel: 16,
    layers: 2,
    heads: 2,
    dFF: 64,
    layerNormEps: 1e-5,
    activation: 'gelu_new',
    tieWordEmbeddings: true,
    bosTokenId: tokenizer.eosTokenId,
    eosTokenId: tokenizer.eosTokenId,
  };
  return { model: new LanguageModel(config, randomWeights(config, seed), sessions), tokenizer };
}

/** A seeded random low-rank delta on one layer's MLP output. */
export function randomDelta(dModel: number, dFF: number, layer: number, seed: number, rank = 1, scale = 0.5): DeltaOperation {
  const random = mulberry32(seed);
  const values = (n: number) => Array.from({ length: n }, () => (random() - 0.5) * scale);
  return { kind: 'delta', method: 'test', requests: [0], factors: [{ layer, u: hostTensor('float32', [dModel, rank], values(dModel * rank)), v: hostTensor('float32', [dFF, rank], values(dFF * rank)) }] };
}

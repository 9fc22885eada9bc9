import { hostTensor, type HostTensor } from '../../runtime/graph/dtype';
import { gaussian, mulberry32 } from '../../runtime/random';
import type { Gpt2Config, LlamaConfig } from '../config';
import { expectedTensorShapes } from '../checkpoint/expected-tensors';

/**
 * GPT-2's initialisation (Radford et al. 2019): weights ~ N(0, 0.02), residual output
 * projections scaled by 1/√(2·layers), LayerNorm gains 1, every bias 0. Seeded.
 */
export function initGpt2Weights(config: Gpt2Config, seed: number): Map<string, HostTensor> {
  const residualStd = 0.02 / Math.sqrt(2 * config.layers);
  return seededWeights(config, seed, (name) => /ln_\d\.weight$|ln_f\.weight$/.test(name), (name) => (name.endsWith('c_proj.weight') ? residualStd : 0.02));
}

/**
 * The Llama family's initialisation (transformers' `_init_weights`): every linear and embedding
 * weight ~ N(0, initializer_range = 0.02), RMSNorm gains 1, biases 0. Seeded.
 */
export function initLlamaWeights(config: LlamaConfig, seed: number): Map<string, HostTensor> {
  return seededWeights(config, seed, (name) => /layernorm\.weight$|model\.norm\.weight$/.test(name), () => 0.02);
}

/** Every expected tensor: norm gains 1, biases 0, the rest ~ N(0, std(name)), in the checkpoint's tensor order. */
function seededWeights(config: Gpt2Config | LlamaConfig, seed: number, isGain: (name: string) => boolean, std: (name: string) => number): Map<string, HostTensor> {
  const random = mulberry32(seed);
  const weights = new Map<string, HostTensor>();
  for (const [name, shape] of expectedTensorShapes(config)) {
    const t = hostTensor('float32', shape);
    const data = t.data as Float32Array;
    if (isGain(name)) data.fill(1);
    else if (!name.endsWith('.bias')) {
      const s = std(name);
      for (let i = 0; i < data.length; i++) data[i] = s * gaussian(random);
    }
    weights.set(name, t);
  }
  return weights;
}

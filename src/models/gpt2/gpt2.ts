import type { HostTensor } from '../../runtime/graph/dtype';
import type { Graph, Value } from '../../runtime/graph/graph';
import { geluTanh, layerNorm } from '../../runtime/nn/layers';
import * as op from '../../runtime/ops';
import type { Gpt2Config } from '../config';
import { buildDecoder, type DecoderFamily } from '../graph/decoder';
import type { ForwardGraph, ForwardOptions } from '../graph/forward-options';

/**
 * GPT-2 (Radford et al. 2019) as Hugging Face stores it: learned positions, pre-norm LayerNorm,
 * Conv1D weights [in, out], fused c_attn, GELU (tanh), LM head tied to wte.
 */
export function gpt2Family(config: Gpt2Config): DecoderFamily {
  const d = config.dModel;
  const headDim = d / config.heads;
  const split = (x: Value) => op.transpose(op.reshape(x, ['batch', 'seq', config.heads, headDim]), [0, 2, 1, 3]);
  const activation = (x: Value) => (config.activation === 'relu' ? op.relu(x) : config.activation === 'gelu' ? geluExact(x) : geluTanh(x));
  return {
    layers: config.layers,
    dModel: config.dModel,
    heads: config.heads,
    kvHeads: config.heads,
    headDim,
    embed: (w, ids, positions) => op.add(op.gather(w.get('wte.weight'), ids), op.gather(w.get('wpe.weight'), positions)),
    qkv: (w, layer, x) => {
      const qkv = w.linear(`h.${layer}.attn.c_attn`, x, 'conv1d', true);
      const [q, k, v] = [0, 1, 2].map((i) => split(op.slice(qkv, [i * d], [(i + 1) * d], [2])));
      return { q, k, v };
    },
    attnOut: (w, layer, context) => w.linear(`h.${layer}.attn.c_proj`, context, 'conv1d', true),
    norm: (w, where, x) => {
      const prefix = where === 'final' ? 'ln_f' : `h.${where.layer}.${where.which === 'attn' ? 'ln_1' : 'ln_2'}`;
      return layerNorm(x, w.get(`${prefix}.weight`), w.get(`${prefix}.bias`), config.layerNormEps);
    },
    mlpKey: (w, layer, x) => activation(w.linear(`h.${layer}.mlp.c_fc`, x, 'conv1d', true)),
    mlpOut: (w, layer, key) => w.linear(`h.${layer}.mlp.c_proj`, key, 'conv1d', true),
    lmHead: (w, h) => op.matmul(h, op.transpose(w.get(w.has('lm_head.weight') && !config.tieWordEmbeddings ? 'lm_head.weight' : 'wte.weight'), [1, 0])),
  };
}

/** Exact GELU, x·Φ(x) = 0.5x(1 + erf(x/√2)) (activation_function "gelu"). */
function geluExact(x: Value): Value {
  return op.mul(op.mul(x, 0.5), op.add(op.erf(op.mul(x, Math.SQRT1_2)), 1));
}

export function buildGpt2(graph: Graph, config: Gpt2Config, weights: ReadonlyMap<string, HostTensor>, options: ForwardOptions = {}): ForwardGraph {
  return buildDecoder(graph, gpt2Family(config), weights, options);
}

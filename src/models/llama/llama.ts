import type { HostTensor } from '../../runtime/graph/dtype';
import type { Graph, Value } from '../../runtime/graph/graph';
import { rmsNorm, silu } from '../../runtime/nn/layers';
import * as op from '../../runtime/ops';
import type { LlamaConfig } from '../config';
import { buildDecoder, type DecoderFamily } from '../graph/decoder';
import type { ForwardGraph, ForwardOptions } from '../graph/forward-options';
import { applyRope, ropeAt, ropeTables } from './rope';

/**
 * Llama (Touvron et al. 2023) and its close relatives Qwen2 and Mistral, as Hugging Face stores
 * them: RMSNorm, RoPE on q and k, SwiGLU MLP, grouped-query attention, nn.Linear weights [out, in].
 */
export function llamaFamily(config: LlamaConfig): DecoderFamily {
  const { headDim } = config;
  // One pair of gathered tables per graph, shared by every layer.
  const ropeByGraph = new WeakMap<Graph, { cos: Value; sin: Value }>();
  const ropeFor = (graph: Graph, positions: Value, dtype: Value['dtype']) => {
    let rope = ropeByGraph.get(graph);
    if (!rope) {
      const tables = ropeTables(config, dtype === 'float64' ? 'float64' : 'float32');
      rope = { cos: ropeAt(graph.constant(tables.cos, 'rope_cos'), positions), sin: ropeAt(graph.constant(tables.sin, 'rope_sin'), positions) };
      ropeByGraph.set(graph, rope);
    }
    return rope;
  };
  const heads = (x: Value, n: number) => op.transpose(op.reshape(x, ['batch', 'seq', n, headDim]), [0, 2, 1, 3]);
  return {
    layers: config.layers,
    dModel: config.dModel,
    heads: config.heads,
    kvHeads: config.kvHeads,
    headDim,
    embed: (w, ids) => op.gather(w.get('model.embed_tokens.weight'), ids),
    qkv: (w, layer, x, positions) => {
      const prefix = `model.layers.${layer}.self_attn`;
      const { cos, sin } = ropeFor(x.graph, positions, x.dtype);
      const q = heads(w.linear(`${prefix}.q_proj`, x, 'linear', config.attentionBias), config.heads);
      const k = heads(w.linear(`${prefix}.k_proj`, x, 'linear', config.attentionBias), config.kvHeads);
      const v = heads(w.linear(`${prefix}.v_proj`, x, 'linear', config.attentionBias), config.kvHeads);
      return { q: applyRope(q, cos, sin, headDim), k: applyRope(k, cos, sin, headDim), v };
    },
    attnOut: (w, layer, context) => w.linear(`model.layers.${layer}.self_attn.o_proj`, context, 'linear', false),
    norm: (w, where, x) => {
      const name =
        where === 'final'
          ? 'model.norm.weight'
          : `model.layers.${where.layer}.${where.which === 'attn' ? 'input_layernorm' : 'post_attention_layernorm'}.weight`;
      return rmsNorm(x, w.get(name), config.rmsNormEps);
    },
    mlpKey: (w, layer, x) => {
      const prefix = `model.layers.${layer}.mlp`;
      return op.mul(silu(w.linear(`${prefix}.gate_proj`, x, 'linear', config.mlpBias)), w.linear(`${prefix}.up_proj`, x, 'linear', config.mlpBias));
    },
    mlpOut: (w, layer, key) => w.linear(`model.layers.${layer}.mlp.down_proj`, key, 'linear', config.mlpBias),
    lmHead: (w, h) => op.matmul(h, op.transpose(w.get(config.tieWordEmbeddings ? 'model.embed_tokens.weight' : 'lm_head.weight'), [1, 0])),
  };
}

export function buildLlama(graph: Graph, config: LlamaConfig, weights: ReadonlyMap<string, HostTensor>, options: ForwardOptions = {}): ForwardGraph {
  return buildDecoder(graph, llamaFamily(config), weights, options);
}

import type { ModelConfig } from '../models/config';
import type { HostTensor } from '../runtime/graph/dtype';
import type { DeltaOperation } from './edit-operation';

/**
 * The MLP output projection a delta edits, and how it is stored: GPT-2's Conv1D c_proj keeps
 * [d_ff, d_model] (y = k·W), Llama's down_proj nn.Linear keeps [d_model, d_ff] (y = k·Wᵀ).
 */
export function mlpOutProjection(config: ModelConfig, layer: number): { name: string; layout: 'conv1d' | 'linear' } {
  return config.family === 'gpt2' ? { name: `h.${layer}.mlp.c_proj.weight`, layout: 'conv1d' } : { name: `model.layers.${layer}.mlp.down_proj.weight`, layout: 'linear' };
}

/**
 * Merges a delta into the weights in place: W' = W + sign·V·Uᵀ (conv1d) or W + sign·U·Vᵀ
 * (linear), the same update the routed hook h += (k·V)·Uᵀ makes. In place, because the compiled
 * sessions feed the weight buffers by reference: no recompilation, and every graph sees it.
 */
export function commitDelta(config: ModelConfig, weights: Map<string, HostTensor>, operation: DeltaOperation, sign: 1 | -1 = 1): void {
  for (const { layer, u, v } of operation.factors) {
    const { name, layout } = mlpOutProjection(config, layer);
    const w = weights.get(name);
    if (!w) throw new Error(`commitDelta: the model has no tensor "${name}"`);
    const [dModel, rank] = u.shape;
    const [dFF, rankV] = v.shape;
    if (rank !== rankV || dModel !== config.dModel || dFF !== config.dFF) throw new Error(`commitDelta: factors u [${u.shape}] and v [${v.shape}] do not fit layer ${layer}`);
    const [wd, ud, vd] = [w.data as Float32Array, u.data as Float32Array, v.data as Float32Array];
    for (let i = 0; i < dFF; i++) {
      for (let j = 0; j < dModel; j++) {
        let s = 0;
        for (let r = 0; r < rank; r++) s += vd[i * rank + r] * ud[j * rank + r];
        wd[layout === 'conv1d' ? i * dModel + j : j * dFF + i] += sign * s;
      }
    }
  }
}

/** Undoes commitDelta by subtracting the same product (exact up to float rounding). */
export function rollbackDelta(config: ModelConfig, weights: Map<string, HostTensor>, operation: DeltaOperation): void {
  commitDelta(config, weights, operation, -1);
}

/** Copies of the tensors a set of deltas touches, for an exact restore after single edits. */
export function snapshotFor(config: ModelConfig, weights: Map<string, HostTensor>, operations: DeltaOperation[]): () => void {
  const names = new Set(operations.flatMap((op) => op.factors.map((f) => mlpOutProjection(config, f.layer).name)));
  const saved = [...names].map((name) => [name, (weights.get(name)!.data as Float32Array).slice()] as const);
  return () => {
    for (const [name, data] of saved) (weights.get(name)!.data as Float32Array).set(data);
  };
}

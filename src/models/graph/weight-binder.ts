import type { HostTensor } from '../../runtime/graph/dtype';
import type { Graph, Value } from '../../runtime/graph/graph';
import * as op from '../../runtime/ops';
import type { ForwardOptions } from './forward-options';

/**
 * Puts checkpoint tensors into a graph on first use, under their Hugging Face names, as fed
 * params (default) or frozen initializers; adds LoRA factors to the linear layers that ask.
 */
export class WeightBinder {
  readonly bound = new Map<string, Value>();
  readonly loraFactors = new Map<string, { a: Value; b: Value }>();

  constructor(
    private readonly graph: Graph,
    private readonly weights: ReadonlyMap<string, HostTensor>,
    private readonly options: ForwardOptions,
  ) {}

  get(name: string): Value {
    let value = this.bound.get(name);
    if (!value) {
      const tensor = this.weights.get(name);
      if (!tensor) throw new Error(`checkpoint has no tensor '${name}'`);
      value = this.graph.weight(name, tensor, { frozen: this.options.frozenWeights ?? false });
      this.bound.set(name, value);
    }
    return value;
  }

  has(name: string): boolean {
    return this.weights.has(name);
  }

  /**
   * A linear layer by HF module name. `layout` is how the checkpoint stores the weight:
   * GPT-2's Conv1D keeps [in, out] (y = x·W), nn.Linear keeps [out, in] (y = x·Wᵀ; ORT fuses
   * the transpose into the MatMul, so the weight is not copied).
   */
  linear(module: string, x: Value, layout: 'conv1d' | 'linear', bias: boolean): Value {
    const w = this.get(`${module}.weight`);
    let y = op.matmul(x, layout === 'conv1d' ? w : op.transpose(w, [1, 0]));
    if (bias) y = op.add(y, this.get(`${module}.bias`));
    const lora = this.options.lora;
    if (lora && lora.targets.includes(module)) {
      const [inDim, outDim] = layout === 'conv1d' ? w.shape : [w.shape[1], w.shape[0]];
      const a = this.graph.input(`lora.${module}.A`, x.dtype, [inDim, lora.rank]);
      const b = this.graph.input(`lora.${module}.B`, x.dtype, [lora.rank, outDim]);
      this.loraFactors.set(module, { a, b });
      y = op.add(y, op.mul(op.matmul(op.matmul(x, a), b), lora.alpha / lora.rank));
    }
    return y;
  }
}

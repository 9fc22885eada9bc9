import { grad } from '../autodiff/grad';
import { hostTensor, type DType, type HostTensor } from '../graph/dtype';
import { Graph, type Value } from '../graph/graph';
import { staticSize } from '../graph/shape';
import { mulberry32 } from '../random';
import * as op from '../ops';
import type { OpType } from '../ops/specs';
import type { SessionManager } from '../session/session-manager';

/** One input of a gradient check: random values unless given, differentiable unless said not. */
export interface CheckInput {
  shape: number[];
  dtype?: DType;
  values?: number[];
  /** Checked against finite differences (float inputs only; default true for floats). */
  differentiable?: boolean;
  /** Draw values in [0.5, 1.5] instead of [-1, 1] (for Log, Sqrt, Pow bases, divisors). */
  positive?: boolean;
}

export interface GradCheckCase {
  name: string;
  /** The ops this case exercises (for the `ops` count of `ked gradcheck`). */
  ops: OpType[];
  dtype?: 'float32' | 'float64';
  inputs: Record<string, CheckInput>;
  build(inputs: Record<string, Value>): Value;
  /** Max relative error allowed (default 1e-6 in float64, 2e-2 in float32). */
  tolerance?: number;
  /** Elements checked per input (default 16, chosen at random). */
  samples?: number;
}

export interface GradCheckResult {
  name: string;
  ops: OpType[];
  checked: number;
  maxRelErr: number;
  tolerance: number;
  passed: boolean;
}

/**
 * Compares autodiff gradients with central finite differences. The output is reduced to a scalar
 * through a fixed random projection, L = Σ out ⊙ R, so every output element matters.
 */
export async function checkGradients(manager: SessionManager, check: GradCheckCase, seed = 1): Promise<GradCheckResult> {
  const dtype = check.dtype ?? 'float64';
  const random = mulberry32(seed);
  const data: Record<string, HostTensor> = {};
  for (const [name, spec] of Object.entries(check.inputs)) {
    const d = spec.dtype ?? dtype;
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const values = spec.values ?? Array.from({ length: n }, () => (spec.positive ? 0.5 + random() : 2 * random() - 1));
    data[name] = hostTensor(d, spec.shape, values);
  }
  const differentiable = Object.keys(check.inputs).filter((name) => {
    const spec = check.inputs[name];
    const d = spec.dtype ?? dtype;
    return (spec.differentiable ?? true) && (d === 'float32' || d === 'float64');
  });

  let projectionValues: number[] | undefined; // drawn once, shared by both graphs
  const build = (withGradients: boolean) => {
    const g = new Graph(`gradcheck_${check.name.replace(/\W+/g, '_')}`);
    const inputs: Record<string, Value> = {};
    for (const [name, tensor] of Object.entries(data)) inputs[name] = g.input(name, tensor.dtype, tensor.shape);
    const out = check.build(inputs);
    const size = staticSize(out.shape);
    if (size === undefined) throw new Error(`gradcheck '${check.name}': output ${out} needs a static shape`);
    projectionValues ??= Array.from({ length: size }, () => 2 * random() - 1);
    const projection = g.constant(hostTensor(out.dtype, out.shape as number[], projectionValues), 'projection');
    const loss = op.reduceSum(op.mul(out, projection));
    g.output(loss, 'loss');
    if (withGradients) {
      const grads = grad(loss, differentiable.map((name) => inputs[name]));
      grads.forEach((gv, i) => g.output(gv, `grad_${differentiable[i]}`));
    }
    return g;
  };
  const analytic = await (await manager.load(build(true))).run(data);
  const forward = await manager.load(build(false));

  const eps = dtype === 'float64' ? 1e-6 : 1e-2;
  const tolerance = check.tolerance ?? (dtype === 'float64' ? 1e-6 : 2e-2);
  let maxRelErr = 0;
  let checked = 0;
  for (const name of differentiable) {
    const tensor = data[name];
    const gradient = analytic[`grad_${name}`].data as Float64Array | Float32Array;
    const n = tensor.data.length;
    const picks = n <= (check.samples ?? 16) ? [...Array(n).keys()] : Array.from({ length: check.samples ?? 16 }, () => Math.floor(random() * n));
    for (const i of picks) {
      const values = tensor.data as Float64Array | Float32Array;
      const original = values[i];
      values[i] = original + eps;
      const plus = Number((await forward.run(data)).loss.data[0]);
      values[i] = original - eps;
      const minus = Number((await forward.run(data)).loss.data[0]);
      values[i] = original;
      const numeric = (plus - minus) / (2 * eps);
      const a = gradient[i];
      const err = Math.abs(a - numeric) / Math.max(Math.abs(a), Math.abs(numeric), 1e-3);
      maxRelErr = Math.max(maxRelErr, Number.isNaN(err) ? Infinity : err);
      checked++;
    }
  }
  return { name: check.name, ops: check.ops, checked, maxRelErr, tolerance, passed: maxRelErr <= tolerance };
}

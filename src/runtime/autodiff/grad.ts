import { hostTensor, isFloat } from '../graph/dtype';
import { GraphBuildError, type Node, type Value } from '../graph/graph';
import { broadcastShapes, formatShape, sameShape, staticSize } from '../graph/shape';
import * as op from '../ops';
import { GRAD_RULES } from './grad-rules';

/**
 * Reverse-mode autodiff over a Graph: appends backward nodes (standard ONNX ops only) and
 * returns d(loss)/d(w) for each `wrt`, in its shape. Only nodes on a path from a `wrt` to the
 * loss get gradients; fan-out contributions are summed. `seed` (same shape as loss) gives a
 * vector-Jacobian product instead of the gradient of a scalar loss.
 */
export function grad(loss: Value, wrt: Value[], options: { seed?: Value } = {}): Value[] {
  const g = loss.graph;
  const ancestors = ancestorsOf(loss);
  for (const w of wrt) {
    if (w.graph !== g) throw new GraphBuildError(`grad: ${w} is not in graph '${g.name}'`);
    if (!ancestors.has(w)) throw new GraphBuildError(`grad: no path from loss ${loss} to ${w}`);
    if (!differentiablyReached([w], g.nodes).has(loss)) {
      throw new GraphBuildError(`grad: loss ${loss} depends on ${w} only through non-differentiable ops (shapes, comparisons, indices)`);
    }
  }
  const reached = differentiablyReached(wrt, g.nodes);
  const needed = new Set([...reached].filter((v) => ancestors.has(v)));
  const nodes = g.nodes.slice(); // backward nodes appended below are not revisited

  return g.scope('grad', () => {
    const seed = options.seed ?? unitSeed(loss);
    if (!sameShape(seed.shape, loss.shape)) throw new GraphBuildError(`grad: seed ${seed} does not match loss ${loss}`);
    const pending = new Map<Value, Value[]>([[loss, [seed]]]);
    const total = (v: Value): Value | undefined => {
      const parts = pending.get(v);
      if (!parts) return undefined;
      const sum = parts.reduce((acc, part) => op.add(acc, part));
      pending.set(v, [sum]);
      return sum;
    };

    for (let i = nodes.length - 1; i >= 0; i--) {
      const node = nodes[i];
      const y = node.outputs[0];
      if (!needed.has(y)) continue;
      const dy = total(y);
      if (!dy) continue;
      const needs = node.inputs.map((v) => needed.has(v));
      const rule = GRAD_RULES[node.opType];
      if (rule === null) {
        throw new GraphBuildError(`grad: node '${node.name}' (${node.opType}) is not differentiable but lies between loss and ${wrt.map(String).join(', ')}`);
      }
      let dx: Array<Value | null>;
      try {
        dx = rule({ x: node.inputs, y, dy, attrs: node.attrs, needs });
      } catch (err) {
        throw new GraphBuildError(`grad: node '${node.name}' (${node.opType}): ${(err as Error).message}`);
      }
      node.inputs.forEach((input, k) => {
        const d = dx[k];
        if (!needs[k] || !d) return;
        const shaped = sumToShape(d, input, node.name);
        pending.set(input, [...(pending.get(input) ?? []), shaped]);
      });
    }
    return wrt.map((w) => total(w) ?? op.zerosLike(w));
  });
}

/** Every value `loss` depends on. */
function ancestorsOf(loss: Value): Set<Value> {
  const seen = new Set<Value>([loss]);
  const stack = [loss];
  while (stack.length) {
    const v = stack.pop()!;
    for (const input of v.producer?.inputs ?? []) {
      if (!seen.has(input)) {
        seen.add(input);
        stack.push(input);
      }
    }
  }
  return seen;
}

/**
 * Values a gradient can flow back to `wrt` from: outputs of differentiable ops with a float type
 * whose inputs were reached (Shape of a weight, say, carries no gradient).
 */
function differentiablyReached(wrt: Value[], nodes: readonly Node[]): Set<Value> {
  const reached = new Set<Value>(wrt);
  for (const node of nodes) {
    if (GRAD_RULES[node.opType] === null || !node.inputs.some((v) => reached.has(v))) continue;
    for (const out of node.outputs) if (isFloat(out.dtype)) reached.add(out);
  }
  return reached;
}

function unitSeed(loss: Value): Value {
  const size = staticSize(loss.shape);
  if (size !== 1) throw new GraphBuildError(`grad: loss ${loss} is not a scalar; pass a seed of its shape`);
  return loss.graph.constant(hostTensor(loss.dtype, loss.shape as number[], [1]), 'seed');
}

/** Sums a broadcast gradient back to the shape of the input it belongs to. */
function sumToShape(d: Value, input: Value, nodeName: string): Value {
  if (sameShape(d.shape, input.shape)) return d;
  const lead = d.rank - input.rank;
  if (lead < 0 || !broadcastShapes(input.shape, d.shape)) {
    throw new GraphBuildError(`grad: node '${nodeName}': gradient ${formatShape(d.shape)} does not reduce to ${input}`);
  }
  const axes: number[] = [];
  for (let i = 0; i < d.rank; i++) {
    if (i < lead || (input.shape[i - lead] === 1 && d.shape[i] !== 1)) axes.push(i);
  }
  const reduced = axes.length ? op.reduceSum(d, axes, false) : d;
  return sameShape(reduced.shape, input.shape) ? reduced : op.reshapeLike(reduced, input);
}

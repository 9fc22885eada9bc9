import { isFloat } from '../graph/dtype';
import type { Attrs, Value } from '../graph/graph';
import { normalizeAxis, staticSize } from '../graph/shape';
import * as op from '../ops';
import { knownInts, type OpType } from '../ops/specs';

/** What a rule sees: the node's inputs and output, and the gradient flowing into the output. */
export interface GradContext {
  x: Value[];
  y: Value;
  dy: Value;
  attrs: Attrs;
  /** needs[i]: whether input i leads to a `wrt`; rules may skip the others (pruning). */
  needs: boolean[];
}

/**
 * One backward rule per op, returning one gradient per input (null: none flows there).
 * Gradients may come back in the broadcast shape; the walker sums them to each input's shape.
 * `null` as a rule marks an op as not differentiable.
 */
export type GradRule = ((ctx: GradContext) => Array<Value | null>) | null;

const intAttr = (attrs: Attrs, key: string, fallback: number): number => {
  const a = attrs[key];
  return a && 'int' in a ? a.int : fallback;
};
const reducedAxes = (x: Value, attrs: Attrs, axesInput?: Value): number[] => {
  const axes = axesInput ? knownInts(axesInput, 'axes').map(Number) : (attrs.axes && 'ints' in attrs.axes ? attrs.axes.ints : undefined);
  return axes === undefined || axes.length === 0 ? [...x.shape.keys()] : axes.map((a) => normalizeAxis(a, x.rank)).sort((a, b) => a - b);
};
/** dy of a reduction, brought back to the input's rank (size-1 reduced axes) and broadcast over it. */
const unreduce = (dy: Value, x: Value, axes: number[], keepdims: boolean): Value =>
  op.expand(keepdims ? dy : op.unsqueeze(dy, axes), op.shapeOf(x));

/**
 * A batch of matrices [..., M, N] as one matrix, so that a sum of products over the batch is one
 * product: `'rows'` stacks their rows ([(…·M), N]), `'columns'` sets them side by side ([M, (…·N)]).
 */
const foldBatch = (x: Value, into: 'rows' | 'columns'): Value => {
  if (into === 'rows') return op.reshape(x, [-1, x.shape[x.rank - 1]]);
  const perm = [x.rank - 2, ...Array.from({ length: x.rank - 2 }, (_, i) => i), x.rank - 1];
  return op.reshape(op.transpose(x, perm), [x.shape[x.rank - 2], -1]);
};

const notDifferentiable = null;

export const GRAD_RULES: Record<OpType, GradRule> = {
  Identity: ({ dy }) => [dy],
  Neg: ({ dy }) => [op.neg(dy)],
  Abs: ({ x: [x], dy }) => [op.where(op.less(x, 0), op.neg(dy), dy)],
  Sqrt: ({ y, dy }) => [op.div(op.mul(dy, 0.5), y)],
  Reciprocal: ({ y, dy }) => [op.neg(op.mul(dy, op.mul(y, y)))],
  Exp: ({ y, dy }) => [op.mul(dy, y)],
  Log: ({ x: [x], dy }) => [op.div(dy, x)],
  Tanh: ({ y, dy }) => [op.mul(dy, op.sub(1, op.mul(y, y)))],
  Erf: ({ x: [x], dy }) => [op.mul(dy, op.mul(op.exp(op.neg(op.mul(x, x))), 2 / Math.sqrt(Math.PI)))],
  Sigmoid: ({ y, dy }) => [op.mul(dy, op.mul(y, op.sub(1, y)))],
  // y = x·σ(w) with w = 2√(2/π)(x + 0.044715x³) (since (1 + tanh u)/2 = σ(2u)), so
  // y' = σ(w) + x·σ(w)·(1 − σ(w))·w' = σ + y·(1 − σ)·w': twelve elementwise passes, where the
  // rules of the nine ops it replaces chain about twenty.
  FastGelu: ({ x: [x], y, dy }) => {
    const k = 2 * Math.sqrt(2 / Math.PI);
    const x2 = op.mul(x, x);
    const s = op.sigmoid(op.mul(x, op.add(op.mul(x2, k * 0.044715), k)));
    const slope = op.add(op.mul(x2, 3 * k * 0.044715), k);
    return [op.mul(dy, op.add(s, op.mul(op.mul(y, op.sub(1, s)), slope)))];
  },
  Relu: ({ x: [x], dy }) => [op.where(op.greater(x, 0), dy, 0)],
  Sin: ({ x: [x], dy }) => [op.mul(dy, op.cos(x))],
  Cos: ({ x: [x], dy }) => [op.neg(op.mul(dy, op.sin(x)))],
  Not: notDifferentiable,

  Add: ({ dy }) => [dy, dy],
  Sub: ({ dy, needs }) => [dy, needs[1] ? op.neg(dy) : null],
  Mul: ({ x: [a, b], dy, needs }) => [needs[0] ? op.mul(dy, b) : null, needs[1] ? op.mul(dy, a) : null],
  Div: ({ x: [, b], y, dy, needs }) => [needs[0] ? op.div(dy, b) : null, needs[1] ? op.neg(op.div(op.mul(dy, y), b)) : null],
  Pow: ({ x: [a, b], y, dy, needs }) => [
    needs[0] ? op.mul(dy, op.mul(b, op.pow(a, op.sub(b, 1)))) : null,
    needs[1] ? op.mul(dy, op.mul(y, op.log(a))) : null,
  ],
  // Ties send the gradient to the first operand.
  Max: ({ x: [a, b], dy }) => [op.where(op.less(a, b), 0, dy), op.where(op.less(a, b), dy, 0)],
  Min: ({ x: [a, b], dy }) => [op.where(op.greater(a, b), 0, dy), op.where(op.greater(a, b), dy, 0)],
  Equal: notDifferentiable,
  Greater: notDifferentiable,
  Less: notDifferentiable,
  And: notDifferentiable,
  Where: ({ x: [cond], dy, needs }) => [null, needs[1] ? op.where(cond, dy, 0) : null, needs[2] ? op.where(cond, 0, dy) : null],

  // Batch dimensions broadcast like elementwise ops; the walker sums them back.
  // A matrix applied to a batch (x·W, W 2-D) gets its gradient as one product over every row,
  // aᵀ·dy with the batch folded into the contraction: batched products summed afterwards would
  // materialise a [batch, K, N] tensor per weight and reduce it.
  MatMul: ({ x: [a, b], dy, needs }) => [
    needs[0] ? (a.rank === 2 && b.rank > 2 ? op.matmul(foldBatch(dy, 'columns'), op.transposeLast2(foldBatch(b, 'columns'))) : op.matmul(dy, op.transposeLast2(b))) : null,
    needs[1] ? (b.rank === 2 && a.rank > 2 ? op.matmul(op.transposeLast2(foldBatch(a, 'rows')), foldBatch(dy, 'rows')) : op.matmul(op.transposeLast2(a), dy)) : null,
  ],

  Softmax: ({ y, dy, attrs }) => {
    const axis = normalizeAxis(intAttr(attrs, 'axis', -1), y.rank);
    return [op.mul(y, op.sub(dy, op.reduceSum(op.mul(dy, y), [axis], true)))];
  },
  LogSoftmax: ({ y, dy, attrs }) => {
    const axis = normalizeAxis(intAttr(attrs, 'axis', -1), y.rank);
    return [op.sub(dy, op.mul(op.exp(y), op.reduceSum(dy, [axis], true)))];
  },

  ReduceSum: ({ x: [x, axes], dy, attrs }) => [unreduce(dy, x, reducedAxes(x, attrs, axes), intAttr(attrs, 'keepdims', 1) === 1), null],
  ReduceMean: ({ x: [x], y, dy, attrs }) => {
    const spread = unreduce(dy, x, reducedAxes(x, attrs), intAttr(attrs, 'keepdims', 1) === 1);
    const nx = staticSize(x.shape);
    const ny = staticSize(y.shape);
    const count = nx !== undefined && ny !== undefined ? op.scalarLike(x, nx / ny) : op.cast(op.div(op.sizeOf(x), op.sizeOf(y)), x.dtype);
    return [op.div(spread, count)];
  },
  ReduceMax: ({ x: [x], y, dy, attrs }) => {
    const axes = reducedAxes(x, attrs);
    const keep = intAttr(attrs, 'keepdims', 1) === 1;
    const isMax = op.equal(x, unreduce(y, x, axes, keep));
    // Ties share the gradient equally, so the rule is exact for the subgradient ORT's argmax-free max implies.
    const ties = op.reduceSum(op.cast(isMax, x.dtype), axes, true);
    return [op.where(isMax, op.div(unreduce(dy, x, axes, keep), ties), 0)];
  },

  Reshape: ({ x: [x], dy }) => [op.reshapeLike(dy, x), null],
  Transpose: ({ x: [x], dy, attrs }) => {
    const perm = attrs.perm && 'ints' in attrs.perm ? attrs.perm.ints : [...x.shape.keys()].reverse();
    const inverse = perm.map((_, i) => perm.indexOf(i));
    return [op.transpose(dy, inverse)];
  },
  Concat: ({ x, dy, attrs, needs }) => {
    const axis = normalizeAxis(intAttr(attrs, 'axis', 0), dy.rank);
    if (x.some((input) => typeof input.shape[axis] !== 'number')) return concatGradientDynamic(x, dy, axis, needs);
    let offset = 0;
    return x.map((input, i) => {
      const size = input.shape[axis] as number;
      const part = needs[i] ? op.slice(dy, [offset], [offset + size], [axis]) : null;
      offset += size;
      return part;
    });
  },
  Slice: ({ x: [x, starts, ends, axesV], dy }) => {
    const s = knownInts(starts, 'starts').map(Number);
    const e = knownInts(ends, 'ends').map(Number);
    const axes = axesV ? knownInts(axesV, 'axes').map(Number) : s.map((_, i) => i);
    const before = x.shape.map(() => 0);
    const after = x.shape.map(() => 0);
    axes.forEach((axis, i) => {
      const a = normalizeAxis(axis, x.rank);
      const dim = x.shape[a];
      if (typeof dim === 'number') {
        const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + dim : v, 0), dim);
        before[a] = clamp(s[i]);
        after[a] = dim - Math.max(clamp(e[i]), clamp(s[i]));
      } else if (s[i] >= 0 && e[i] >= 2 ** 62) {
        before[a] = s[i];
      } else {
        throw new Error(`gradient of Slice [${s[i]}:${e[i]}] on symbolic axis ${a} of ${x} is not supported`);
      }
    });
    return [op.pad(dy, op.int64s(dy.graph, [...before, ...after])), null, null, null, null];
  },

  Gather: ({ x: [data, indices], dy, attrs }) => {
    if (normalizeAxis(intAttr(attrs, 'axis', 0), data.rank) !== 0) throw new Error('gradient of Gather is implemented for axis 0 (embedding lookups)');
    // Repeated indices (the same token twice) must add up, hence reduction 'add'.
    return [op.scatterND(op.zerosLike(data), op.unsqueeze(indices, [-1]), dy, 'add'), null];
  },
  GatherElements: ({ x: [data, indices], dy, attrs }) => [
    op.scatterElements(op.zerosLike(data), indices, dy, intAttr(attrs, 'axis', 0), 'add'),
    null,
  ],
  ScatterElements: ({ x: [, indices, updates], dy, attrs, needs }) => {
    const axis = intAttr(attrs, 'axis', 0);
    const adds = attrs.reduction && 'string' in attrs.reduction && attrs.reduction.string === 'add';
    return [
      needs[0] ? (adds ? dy : op.scatterElements(dy, indices, op.zerosLike(updates), axis)) : null,
      null,
      needs[2] ? op.gatherElements(dy, indices, axis) : null,
    ];
  },
  ScatterND: ({ dy, attrs, needs }) => {
    const adds = attrs.reduction && 'string' in attrs.reduction && attrs.reduction.string === 'add';
    if (needs[2] || (needs[0] && !adds)) throw new Error('gradient of ScatterND is implemented for the data input of reduction "add"');
    return [dy, null, null];
  },

  Expand: ({ dy }) => [dy, null],
  Unsqueeze: ({ x: [x], dy }) => [op.reshapeLike(dy, x), null],
  Squeeze: ({ x: [x], dy }) => [op.reshapeLike(dy, x), null],
  Cast: ({ x: [x], dy }) => [isFloat(x.dtype) ? op.cast(dy, x.dtype) : null],
  Trilu: ({ x: [, k], dy, attrs }) => [op.trilu(dy, intAttr(attrs, 'upper', 1) === 1, k ?? 0), null],
  Pad: ({ x: [x, pads], dy }) => {
    const p = knownInts(pads, 'pads');
    if (p.some((v) => typeof v !== 'number') || x.shape.some((d) => typeof d !== 'number')) {
      throw new Error(`gradient of Pad needs static shapes (${x})`);
    }
    const before = p.slice(0, x.rank) as number[];
    return [op.slice(dy, before, before.map((b, i) => b + (x.shape[i] as number)), [...x.shape.keys()]), null, null];
  },

  Shape: notDifferentiable,
  Size: notDifferentiable,
  ConstantOfShape: notDifferentiable,
};

/**
 * Concat's gradient along an axis whose sizes are known only at run time (a KV cache's past
 * length): each part's offset is summed from the inputs' shapes in the graph, and each slice
 * takes its input's shape back.
 */
function concatGradientDynamic(x: readonly Value[], dy: Value, axis: number, needs: readonly boolean[]): Array<Value | null> {
  const g = dy.graph;
  const axisIndex = op.int64s(g, [axis]);
  let offset: Value = op.int64s(g, [0]);
  return x.map((input, i) => {
    const end = op.add(offset, op.gather(op.shapeOf(input), axisIndex));
    const part = needs[i] ? op.reshapeLike(op.sliceDynamic(dy, offset, end, axis), input) : null;
    offset = end;
    return part;
  });
}

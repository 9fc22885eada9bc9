import { ONNX_DTYPE, hostTensor, type DType } from '../graph/dtype';
import type { Attrs, Graph, Value } from '../graph/graph';
import { normalizeAxis, type Dim } from '../graph/shape';

/**
 * The op vocabulary models and gradients are written in. Each function adds one ONNX node
 * (opset 17) via Graph.apply, which checks types and infers shapes.
 */
const one = (g: Graph, op: string, inputs: Value[], attrs: Attrs = {}): Value => g.apply(op, inputs, attrs)[0];

export const int64s = (g: Graph, values: number[]): Value => g.constant(hostTensor('int64', [values.length], values), 'ints');
export const scalar = (g: Graph, value: number, dtype: DType = 'float32'): Value => g.constant(hostTensor(dtype, [], [value]), 'scalar');
/** A scalar of `like`'s element type, so it broadcasts against it without a Cast. */
export const scalarLike = (like: Value, value: number): Value => scalar(like.graph, value, like.dtype);

// Elementwise, one input.
export const identity = (x: Value) => one(x.graph, 'Identity', [x]);
export const neg = (x: Value) => one(x.graph, 'Neg', [x]);
export const abs = (x: Value) => one(x.graph, 'Abs', [x]);
export const sqrt = (x: Value) => one(x.graph, 'Sqrt', [x]);
export const reciprocal = (x: Value) => one(x.graph, 'Reciprocal', [x]);
export const exp = (x: Value) => one(x.graph, 'Exp', [x]);
export const log = (x: Value) => one(x.graph, 'Log', [x]);
export const tanh = (x: Value) => one(x.graph, 'Tanh', [x]);
export const erf = (x: Value) => one(x.graph, 'Erf', [x]);
export const sigmoid = (x: Value) => one(x.graph, 'Sigmoid', [x]);
export const fastGelu = (x: Value) => one(x.graph, 'FastGelu', [x]);
export const relu = (x: Value) => one(x.graph, 'Relu', [x]);
export const sin = (x: Value) => one(x.graph, 'Sin', [x]);
export const cos = (x: Value) => one(x.graph, 'Cos', [x]);
export const not = (x: Value) => one(x.graph, 'Not', [x]);

// Elementwise, two inputs, numpy broadcasting. A number operand becomes a scalar of the other's type.
type Operand = Value | number;
const pair = (a: Operand, b: Operand): [Value, Value] => {
  if (typeof a === 'number' && typeof b === 'number') throw new Error('at least one operand must be a Value');
  return [typeof a === 'number' ? scalarLike(b as Value, a) : a, typeof b === 'number' ? scalarLike(a as Value, b) : b];
};
const binary = (op: string) => (a: Operand, b: Operand) => {
  const [x, y] = pair(a, b);
  return one(x.graph, op, [x, y]);
};
export const add = binary('Add');
export const sub = binary('Sub');
export const mul = binary('Mul');
export const div = binary('Div');
export const pow = binary('Pow');
export const maximum = binary('Max');
export const minimum = binary('Min');
export const equal = binary('Equal');
export const greater = binary('Greater');
export const less = binary('Less');
export const and = binary('And');

export const where = (cond: Value, a: Operand, b: Operand) => {
  const [x, y] = pair(a, b);
  return one(cond.graph, 'Where', [cond, x, y]);
};

export const matmul = (a: Value, b: Value) => one(a.graph, 'MatMul', [a, b]);

export const softmax = (x: Value, axis = -1) => one(x.graph, 'Softmax', [x], { axis: { int: axis } });
export const logSoftmax = (x: Value, axis = -1) => one(x.graph, 'LogSoftmax', [x], { axis: { int: axis } });

/** Reductions; `axes` undefined reduces everything. */
export const reduceSum = (x: Value, axes?: number[], keepdims = false) =>
  one(x.graph, 'ReduceSum', axes === undefined ? [x] : [x, int64s(x.graph, axes)], { keepdims: { int: keepdims ? 1 : 0 } });
export const reduceMean = (x: Value, axes?: number[], keepdims = false) =>
  one(x.graph, 'ReduceMean', [x], { ...(axes ? { axes: { ints: axes } } : {}), keepdims: { int: keepdims ? 1 : 0 } });
export const reduceMax = (x: Value, axes?: number[], keepdims = false) =>
  one(x.graph, 'ReduceMax', [x], { ...(axes ? { axes: { ints: axes } } : {}), keepdims: { int: keepdims ? 1 : 0 } });

/** The runtime shape of `x` as an int64 vector (its contents stay known at build time). */
export const shapeOf = (x: Value) => one(x.graph, 'Shape', [x]);
export const sizeOf = (x: Value) => one(x.graph, 'Size', [x]);

/**
 * Reshape to `dims`: numbers are static, -1 is inferred, and a name ('batch') copies that
 * dimension of `x` at run time.
 */
export function reshape(x: Value, dims: Dim[]): Value {
  return one(x.graph, 'Reshape', [x, shapeVector(x, dims)]);
}

/** Reshape to exactly the runtime shape of `like`. */
export const reshapeLike = (x: Value, like: Value) => one(x.graph, 'Reshape', [x, shapeOf(like)]);

/** An int64 shape vector; symbolic dims are read from `source`'s shape at run time. */
export function shapeVector(source: Value, dims: Dim[]): Value {
  const g = source.graph;
  if (dims.every((d) => typeof d === 'number')) return int64s(g, dims as number[]);
  const parts = dims.map((d) => {
    if (typeof d === 'number') return int64s(g, [d]);
    const axis = source.shape.indexOf(d);
    if (axis < 0) throw new Error(`dimension '${d}' is not in the shape of ${source}`);
    return one(g, 'Gather', [shapeOf(source), int64s(g, [axis])], { axis: { int: 0 } });
  });
  return one(g, 'Concat', parts, { axis: { int: 0 } });
}

export const transpose = (x: Value, perm?: number[]) => one(x.graph, 'Transpose', [x], perm ? { perm: { ints: perm } } : {});
/** Swaps the last two axes (for batched matrices). */
export const transposeLast2 = (x: Value) => transpose(x, [...x.shape.keys()].map((i) => (i === x.rank - 2 ? x.rank - 1 : i === x.rank - 1 ? x.rank - 2 : i)));

export const concat = (values: Value[], axis: number) => one(values[0].graph, 'Concat', values, { axis: { int: axis } });

/** x[starts:ends] along `axes` (step 1); ends beyond the dimension clamp, as in ONNX. */
export function slice(x: Value, starts: number[], ends: number[], axes?: number[]): Value {
  const g = x.graph;
  const inputs = [x, int64s(g, starts), int64s(g, ends.map((e) => Math.min(e, 2 ** 62)))];
  if (axes) inputs.push(int64s(g, axes));
  return one(g, 'Slice', inputs);
}

/** Slice along one axis between bounds computed in the graph ([1] int64 each), e.g. from shapes. */
export function sliceDynamic(x: Value, start: Value, end: Value, axis: number): Value {
  return one(x.graph, 'Slice', [x, start, end, int64s(x.graph, [axis])]);
}

export const gather = (data: Value, indices: Value, axis = 0) => one(data.graph, 'Gather', [data, indices], { axis: { int: axis } });
export const gatherElements = (data: Value, indices: Value, axis: number) =>
  one(data.graph, 'GatherElements', [data, indices], { axis: { int: axis } });
export const scatterElements = (data: Value, indices: Value, updates: Value, axis: number, reduction: 'none' | 'add' = 'none') =>
  one(data.graph, 'ScatterElements', [data, indices, updates], { axis: { int: axis }, reduction: { string: reduction } });
export const scatterND = (data: Value, indices: Value, updates: Value, reduction: 'none' | 'add' = 'none') =>
  one(data.graph, 'ScatterND', [data, indices, updates], { reduction: { string: reduction } });

export const expand = (x: Value, shape: Value) => one(x.graph, 'Expand', [x, shape]);
export const unsqueeze = (x: Value, axes: number[]) => one(x.graph, 'Unsqueeze', [x, int64s(x.graph, axes)]);
export const squeeze = (x: Value, axes: number[]) => one(x.graph, 'Squeeze', [x, int64s(x.graph, axes.map((a) => normalizeAxis(a, x.rank)))]);
export const cast = (x: Value, to: DType) => (x.dtype === to ? x : one(x.graph, 'Cast', [x], { to: { int: ONNX_DTYPE[to] } }));

/** Keeps the lower (or upper) triangle of the last two axes, offset by k. */
export const trilu = (x: Value, upper: boolean, k: number | Value = 0) =>
  one(x.graph, 'Trilu', k === 0 ? [x] : [x, typeof k === 'number' ? g64(x.graph, k) : k], { upper: { int: upper ? 1 : 0 } });
const g64 = (g: Graph, k: number) => g.constant(hostTensor('int64', [], [k]), 'k');

/** A tensor filled with `value`, shaped by an int64 shape vector. */
export const fill = (shape: Value, value: number, dtype: DType) =>
  one(shape.graph, 'ConstantOfShape', [shape], { value: { tensor: hostTensor(dtype, [1], [value]) } });
export const zerosLike = (x: Value) => fill(shapeOf(x), 0, x.dtype);
export const onesLike = (x: Value) => fill(shapeOf(x), 1, x.dtype);

/** Constant-mode padding; pads = [before_0.., after_0..] as an int64 vector. */
export const pad = (x: Value, pads: Value) => one(x.graph, 'Pad', [x, pads]);

import { ONNX_DTYPE, isFloat, type DType } from '../graph/dtype';
import type { Attrs, OutputType, Value } from '../graph/graph';
import { broadcastShapes, dimsCompatible, formatShape, normalizeAxis, type Dim } from '../graph/shape';

/**
 * Every op the runtime can build, with its arity and build-time type/shape inference.
 * One entry per op; its gradient lives in autodiff/grad-rules.ts under the same key.
 */
export interface OpSpec {
  arity: [min: number, max: number];
  infer(inputs: Value[], attrs: Attrs): OutputType[];
}

const fail = (message: string): never => {
  throw new Error(message);
};

const unary = (check?: (dtype: DType) => boolean): OpSpec => ({
  arity: [1, 1],
  infer: ([x]) => {
    if (check && !check(x.dtype)) fail(`does not take ${x.dtype}`);
    return [{ dtype: x.dtype, shape: [...x.shape] }];
  },
});

const broadcasting = (outDtype?: DType, check?: (dtype: DType) => boolean): OpSpec => ({
  arity: [2, 2],
  infer: ([a, b]) => {
    if (a.dtype !== b.dtype) fail(`element types differ: ${a.dtype} vs ${b.dtype}`);
    if (check && !check(a.dtype)) fail(`does not take ${a.dtype}`);
    const shape = broadcastShapes(a.shape, b.shape) ?? fail(`shapes ${formatShape(a.shape)} and ${formatShape(b.shape)} do not broadcast`);
    return [{ dtype: outDtype ?? a.dtype, shape }];
  },
});

const intAttr = (attrs: Attrs, key: string, fallback?: number): number => {
  const attr = attrs[key];
  if (attr && 'int' in attr) return attr.int;
  if (fallback === undefined) fail(`attribute '${key}' is required`);
  return fallback!;
};

const intsAttr = (attrs: Attrs, key: string): number[] | undefined => {
  const attr = attrs[key];
  return attr && 'ints' in attr ? attr.ints : undefined;
};

/** The contents of a small int64 tensor when the builder knows them (constants, shapes of shapes). */
export function knownInts(value: Value | undefined, what: string): Dim[] {
  if (!value) return fail(`${what} is required`);
  if (value.known) return value.known;
  if (value.data && value.dtype === 'int64') return Array.from(value.data.data as BigInt64Array, Number);
  return fail(`${what} ('${value.name}') must be a constant or computed from shapes`);
}

const reduceShape = (shape: Dim[], axes: number[] | undefined, keepdims: boolean): Dim[] => {
  const all = axes === undefined || axes.length === 0;
  const set = new Set((axes ?? []).map((a) => normalizeAxis(a, shape.length)));
  const out: Dim[] = [];
  shape.forEach((d, i) => {
    if (all || set.has(i)) {
      if (keepdims) out.push(1);
    } else out.push(d);
  });
  return out;
};

/** Symbolic product for Reshape's -1 when dimensions are named. */
function inferMinusOne(input: Dim[], target: Dim[]): Dim {
  const symbols = input.filter((d): d is string => typeof d === 'string');
  let numeric = input.reduce<number>((p, d) => (typeof d === 'number' ? p * d : p), 1);
  for (const d of target) {
    if (d === -1) continue;
    if (typeof d === 'number') {
      if (numeric % d !== 0) fail(`cannot reshape ${formatShape(input)} to ${formatShape(target)}`);
      numeric /= d;
    } else {
      const at = symbols.indexOf(d);
      if (at < 0) fail(`cannot infer -1 reshaping ${formatShape(input)} to ${formatShape(target)}`);
      symbols.splice(at, 1);
    }
  }
  if (symbols.length === 0) return numeric;
  const parts = numeric === 1 ? symbols : [...symbols, String(numeric)];
  return parts.length === 1 ? parts[0] : parts.join('*');
}

const DTYPE_BY_ONNX = new Map<number, DType>(Object.entries(ONNX_DTYPE).map(([k, v]) => [v, k as DType]));
export const dtypeFromOnnx = (code: number): DType => DTYPE_BY_ONNX.get(code) ?? fail(`unsupported element type ${code}`);

const INT64_MAX = 2 ** 62;

export const OP_SPECS = {
  Identity: unary(),
  Neg: unary(isFloat),
  Abs: unary(isFloat),
  Sqrt: unary(isFloat),
  Reciprocal: unary(isFloat),
  Exp: unary(isFloat),
  Log: unary(isFloat),
  Tanh: unary(isFloat),
  Erf: unary(isFloat),
  Sigmoid: unary(isFloat),
  /** onnxruntime's contrib op (domain com.microsoft): 0.5x(1 + tanh(√(2/π)(x + 0.044715x³))), one kernel instead of nine elementwise passes. */
  FastGelu: unary(isFloat),
  Relu: unary(isFloat),
  Sin: unary(isFloat),
  Cos: unary(isFloat),
  Not: unary((d) => d === 'bool'),

  Add: broadcasting(),
  Sub: broadcasting(),
  Mul: broadcasting(),
  Div: broadcasting(),
  Pow: broadcasting(undefined, isFloat),
  Max: broadcasting(),
  Min: broadcasting(),
  Equal: broadcasting('bool'),
  Greater: broadcasting('bool'),
  Less: broadcasting('bool'),
  And: broadcasting('bool', (d) => d === 'bool'),

  Where: {
    arity: [3, 3],
    infer: ([cond, a, b]) => {
      if (cond.dtype !== 'bool') fail(`condition must be bool, got ${cond.dtype}`);
      if (a.dtype !== b.dtype) fail(`branch types differ: ${a.dtype} vs ${b.dtype}`);
      const shape = broadcastShapes(cond.shape, a.shape, b.shape) ?? fail('shapes do not broadcast');
      return [{ dtype: a.dtype, shape }];
    },
  },

  MatMul: {
    arity: [2, 2],
    infer: ([a, b]) => {
      if (a.dtype !== b.dtype) fail(`element types differ: ${a.dtype} vs ${b.dtype}`);
      if (a.rank < 2 || b.rank < 2) fail('both operands need rank >= 2');
      const k1 = a.shape[a.rank - 1];
      const k2 = b.shape[b.rank - 2];
      if (!dimsCompatible(k1, k2)) fail(`inner dimensions differ: ${formatShape(a.shape)} x ${formatShape(b.shape)}`);
      const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2)) ?? fail(`batch dimensions do not broadcast: ${formatShape(a.shape)} x ${formatShape(b.shape)}`);
      return [{ dtype: a.dtype, shape: [...batch, a.shape[a.rank - 2], b.shape[b.rank - 1]] }];
    },
  },

  Softmax: { arity: [1, 1], infer: ([x], attrs) => (normalizeAxis(intAttr(attrs, 'axis', -1), x.rank), [{ dtype: x.dtype, shape: [...x.shape] }]) },
  LogSoftmax: { arity: [1, 1], infer: ([x], attrs) => (normalizeAxis(intAttr(attrs, 'axis', -1), x.rank), [{ dtype: x.dtype, shape: [...x.shape] }]) },

  ReduceSum: {
    arity: [1, 2],
    infer: ([x, axes], attrs) => [{ dtype: x.dtype, shape: reduceShape(x.shape, axes ? knownInts(axes, 'axes').map(Number) : undefined, intAttr(attrs, 'keepdims', 1) === 1) }],
  },
  ReduceMean: { arity: [1, 1], infer: ([x], attrs) => [{ dtype: x.dtype, shape: reduceShape(x.shape, intsAttr(attrs, 'axes'), intAttr(attrs, 'keepdims', 1) === 1) }] },
  ReduceMax: { arity: [1, 1], infer: ([x], attrs) => [{ dtype: x.dtype, shape: reduceShape(x.shape, intsAttr(attrs, 'axes'), intAttr(attrs, 'keepdims', 1) === 1) }] },

  Reshape: {
    arity: [2, 2],
    infer: ([x, shapeValue]) => {
      const target = knownInts(shapeValue, 'the target shape');
      const withCopies = target.map((d, i) => (d === 0 ? (x.shape[i] ?? fail('0 refers past the input rank')) : d));
      if (withCopies.filter((d) => d === -1).length > 1) fail('at most one -1');
      const shape = withCopies.map((d) => (d === -1 ? inferMinusOne(x.shape, withCopies) : d));
      const a = x.shape.filter((d) => typeof d === 'number').reduce<number>((p, d) => p * (d as number), 1);
      const b = shape.filter((d) => typeof d === 'number').reduce<number>((p, d) => p * (d as number), 1);
      const symbolsA = x.shape.filter((d) => typeof d === 'string').sort().join('*');
      const symbolsB = shape.flatMap((d) => (typeof d === 'string' ? d.split('*').filter((p) => !/^\d+$/.test(p)) : [])).sort().join('*');
      const numericB = b * shape.flatMap((d) => (typeof d === 'string' ? d.split('*').filter((p) => /^\d+$/.test(p)).map(Number) : [])).reduce((p, n) => p * n, 1);
      if (symbolsA === symbolsB && a !== numericB) fail(`${formatShape(x.shape)} has a different size from ${formatShape(shape)}`);
      return [{ dtype: x.dtype, shape }];
    },
  },

  Transpose: {
    arity: [1, 1],
    infer: ([x], attrs) => {
      const perm = intsAttr(attrs, 'perm') ?? x.shape.map((_, i) => x.rank - 1 - i);
      if (perm.length !== x.rank || [...perm].sort().some((p, i) => p !== i)) fail(`perm [${perm}] is not a permutation of rank ${x.rank}`);
      return [{ dtype: x.dtype, shape: perm.map((p) => x.shape[p]) }];
    },
  },

  Concat: {
    arity: [1, 64],
    infer: (inputs, attrs) => {
      const first = inputs[0];
      const axis = normalizeAxis(intAttr(attrs, 'axis'), first.rank);
      const parts: Dim[] = [];
      for (const v of inputs) {
        if (v.dtype !== first.dtype) fail(`element types differ: ${first.dtype} vs ${v.dtype}`);
        if (v.rank !== first.rank || v.shape.some((d, i) => i !== axis && !dimsCompatible(d, first.shape[i]))) {
          fail(`shapes ${formatShape(first.shape)} and ${formatShape(v.shape)} differ outside axis ${axis}`);
        }
        parts.push(v.shape[axis]);
      }
      const numeric = parts.every((d) => typeof d === 'number');
      const shape = [...first.shape];
      shape[axis] = numeric ? (parts as number[]).reduce((a, b) => a + b, 0) : parts.join('+');
      return [{ dtype: first.dtype, shape }];
    },
  },

  Slice: {
    arity: [3, 5],
    infer: ([x, startsV, endsV, axesV, stepsV]) => {
      // Bounds computed at run time (a Concat gradient's offsets along a symbolic axis) give a dimension named for the slice.
      const axes = axesV ? knownInts(axesV, 'axes').map(Number) : knownInts(startsV, 'starts').map((_, i) => i);
      const bounds = (v: Value) => (v.known || v.data ? knownInts(v, 'bounds').map(Number) : axes.map(() => NaN));
      const starts = bounds(startsV);
      const ends = bounds(endsV);
      const steps = stepsV ? knownInts(stepsV, 'steps').map(Number) : starts.map(() => 1);
      if (steps.some((s) => s !== 1)) fail('only step 1 is supported');
      const shape = [...x.shape];
      axes.forEach((axis, i) => {
        const a = normalizeAxis(axis, x.rank);
        const dim = x.shape[a];
        if (Number.isNaN(starts[i]) || Number.isNaN(ends[i])) {
          shape[a] = `${dim}[dynamic]`;
        } else if (typeof dim === 'number') {
          const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + dim : v, 0), dim);
          shape[a] = Math.max(clamp(ends[i]) - clamp(starts[i]), 0);
        } else if (starts[i] === 0 && ends[i] >= INT64_MAX) {
          shape[a] = dim;
        } else if (starts[i] >= 0 && ends[i] >= 0 && ends[i] < INT64_MAX) {
          shape[a] = ends[i] - starts[i]; // assumes the dimension is at least `end` at run time
        } else {
          shape[a] = `${dim}[${starts[i]}:${ends[i]}]`;
        }
      });
      return [{ dtype: x.dtype, shape }];
    },
  },

  Gather: {
    arity: [2, 2],
    infer: ([data, indices], attrs) => {
      if (indices.dtype !== 'int64' && indices.dtype !== 'int32') fail(`indices must be int64, got ${indices.dtype}`);
      const axis = normalizeAxis(intAttr(attrs, 'axis', 0), data.rank);
      return [{ dtype: data.dtype, shape: [...data.shape.slice(0, axis), ...indices.shape, ...data.shape.slice(axis + 1)] }];
    },
  },
  GatherElements: {
    arity: [2, 2],
    infer: ([data, indices], attrs) => {
      normalizeAxis(intAttr(attrs, 'axis', 0), data.rank);
      if (indices.rank !== data.rank) fail(`indices rank ${indices.rank} differs from data rank ${data.rank}`);
      return [{ dtype: data.dtype, shape: [...indices.shape] }];
    },
  },
  ScatterElements: {
    arity: [3, 3],
    infer: ([data, indices, updates], attrs) => {
      normalizeAxis(intAttr(attrs, 'axis', 0), data.rank);
      if (indices.rank !== data.rank || updates.rank !== data.rank) fail('data, indices and updates need the same rank');
      if (updates.dtype !== data.dtype) fail(`updates are ${updates.dtype}, data is ${data.dtype}`);
      return [{ dtype: data.dtype, shape: [...data.shape] }];
    },
  },
  ScatterND: {
    arity: [3, 3],
    infer: ([data, , updates]) => {
      if (updates.dtype !== data.dtype) fail(`updates are ${updates.dtype}, data is ${data.dtype}`);
      return [{ dtype: data.dtype, shape: [...data.shape] }];
    },
  },

  Expand: {
    arity: [2, 2],
    infer: ([x, shapeValue]) => {
      const target = knownInts(shapeValue, 'the target shape');
      return [{ dtype: x.dtype, shape: broadcastShapes(x.shape, target) ?? fail(`${formatShape(x.shape)} does not expand to ${formatShape(target)}`) }];
    },
  },
  Unsqueeze: {
    arity: [2, 2],
    infer: ([x, axesV]) => {
      const axes = knownInts(axesV, 'axes').map(Number);
      const rank = x.rank + axes.length;
      const set = new Set(axes.map((a) => normalizeAxis(a, rank)));
      const shape: Dim[] = [];
      let j = 0;
      for (let i = 0; i < rank; i++) shape.push(set.has(i) ? 1 : x.shape[j++]);
      return [{ dtype: x.dtype, shape }];
    },
  },
  Squeeze: {
    arity: [2, 2],
    infer: ([x, axesV]) => {
      const set = new Set(knownInts(axesV, 'axes').map((a) => normalizeAxis(Number(a), x.rank)));
      for (const a of set) if (x.shape[a] !== 1) fail(`axis ${a} has size ${x.shape[a]}, not 1`);
      return [{ dtype: x.dtype, shape: x.shape.filter((_, i) => !set.has(i)) }];
    },
  },
  Cast: { arity: [1, 1], infer: ([x], attrs) => [{ dtype: dtypeFromOnnx(intAttr(attrs, 'to')), shape: [...x.shape] }] },
  Trilu: {
    arity: [1, 2],
    infer: ([x]) => (x.rank < 2 ? fail('needs rank >= 2') : [{ dtype: x.dtype, shape: [...x.shape] }]),
  },
  Shape: { arity: [1, 1], infer: ([x]) => [{ dtype: 'int64', shape: [x.rank] }] },
  Size: { arity: [1, 1], infer: () => [{ dtype: 'int64', shape: [] }] },
  ConstantOfShape: {
    arity: [1, 1],
    infer: ([shapeValue], attrs) => {
      const value = attrs.value;
      const dtype = value && 'tensor' in value ? value.tensor.dtype : 'float32';
      return [{ dtype, shape: knownInts(shapeValue, 'the shape') }];
    },
  },
  Pad: {
    arity: [2, 3],
    infer: ([x, padsV]) => {
      const pads = knownInts(padsV, 'pads');
      if (pads.length !== 2 * x.rank) fail(`pads has ${pads.length} entries for rank ${x.rank}`);
      const shape = x.shape.map((d, i) => {
        const before = pads[i];
        const after = pads[i + x.rank];
        if (typeof d === 'number' && typeof before === 'number' && typeof after === 'number') return d + before + after;
        return before === 0 && after === 0 ? d : `${d}+pad`;
      });
      return [{ dtype: x.dtype, shape }];
    },
  },
} satisfies Record<string, OpSpec>;

export type OpType = keyof typeof OP_SPECS;

/** Ops outside the default ONNX domain, and their domain (imported at version 1 where used). */
export const OP_DOMAINS: Partial<Record<OpType, string>> = { FastGelu: 'com.microsoft' };

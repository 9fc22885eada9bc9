import { hostTensor } from '../graph/dtype';
import type { Value } from '../graph/graph';
import { blockParamShapes, gpt2Block, initBlockParams, BLOCK_PARAM_NAMES, type BlockParams } from '../nn/gpt2-block';
import { causalMask, geluTanh, layerNorm, rmsNorm } from '../nn/layers';
import * as op from '../ops';
import type { GradCheckCase } from './gradcheck';

const unaryCase = (name: GradCheckCase['ops'][number], f: (x: Value) => Value, positive = false, dtype: 'float32' | 'float64' = 'float64'): GradCheckCase => ({
  name,
  ops: [name],
  dtype,
  inputs: { x: { shape: [2, 3], positive } },
  build: ({ x }) => f(x),
});

const binaryCases = (name: GradCheckCase['ops'][number], f: (a: Value, b: Value) => Value, positiveB = false): GradCheckCase[] => [
  { name: `${name} same shape`, ops: [name], inputs: { a: { shape: [2, 3] }, b: { shape: [2, 3], positive: positiveB } }, build: ({ a, b }) => f(a, b) },
  { name: `${name} broadcast [2,3,4] with [4]`, ops: [name], inputs: { a: { shape: [2, 3, 4] }, b: { shape: [4], positive: positiveB } }, build: ({ a, b }) => f(a, b) },
  { name: `${name} broadcast [3,1] with [1,4]`, ops: [name], inputs: { a: { shape: [3, 1] }, b: { shape: [1, 4], positive: positiveB } }, build: ({ a, b }) => f(a, b) },
];

/** A 2-layer GPT-2 block stack, checked w.r.t. every weight and an additive input delta. */
const BLOCK = { dModel: 8, heads: 2, dFF: 16 };
function transformerCase(): GradCheckCase {
  const inputs: GradCheckCase['inputs'] = { x: { shape: [2, 5, BLOCK.dModel], differentiable: false }, delta: { shape: [2, 5, BLOCK.dModel] } };
  const shapes = blockParamShapes(BLOCK);
  for (const layer of [0, 1]) {
    const init = initBlockParams(BLOCK, 'float64', 7 + layer);
    for (const name of BLOCK_PARAM_NAMES) {
      // Larger weights than GPT-2's init so that every path carries a gradient worth checking.
      inputs[`h${layer}.${name}`] = { shape: shapes[name], values: Array.from(init[name].data as Float64Array, (v) => (name.endsWith('.g') ? v : v * 20)) };
    }
  }
  return {
    name: '2-layer transformer block: weights and input delta',
    ops: [],
    inputs,
    samples: 4,
    tolerance: 1e-5, // float64 central differences on a deep graph: ~1e-6 rounding noise
    build: (v) => {
      let h = op.add(v.x, v.delta);
      for (const layer of [0, 1]) {
        const params = Object.fromEntries(BLOCK_PARAM_NAMES.map((n) => [n, v[`h${layer}.${n}`]])) as BlockParams;
        h = h.graph.scope(`h${layer}`, () => gpt2Block(h, params, BLOCK));
      }
      return h;
    },
  };
}

/** Every differentiable op, with broadcasting where the op broadcasts, plus composite layers. */
export function gradCheckCases(): GradCheckCase[] {
  return [
    unaryCase('Identity', op.identity),
    unaryCase('FastGelu', op.fastGelu, false, 'float32'), // float32 only: its float64 kernel computes in float32 precision
    unaryCase('Neg', op.neg),
    unaryCase('Abs', op.abs),
    unaryCase('Sqrt', op.sqrt, true),
    unaryCase('Reciprocal', op.reciprocal, true),
    unaryCase('Exp', op.exp),
    unaryCase('Log', op.log, true),
    unaryCase('Tanh', op.tanh),
    unaryCase('Erf', op.erf, false, 'float32'), // ORT has no float64 Erf kernel
    unaryCase('Sigmoid', op.sigmoid),
    unaryCase('Relu', op.relu),
    unaryCase('Sin', op.sin),
    unaryCase('Cos', op.cos),
    ...binaryCases('Add', op.add),
    ...binaryCases('Sub', op.sub),
    ...binaryCases('Mul', op.mul),
    ...binaryCases('Div', op.div, true),
    { name: 'Pow base and exponent', ops: ['Pow'], inputs: { a: { shape: [2, 3], positive: true }, b: { shape: [3] } }, build: ({ a, b }) => op.pow(a, b) },
    ...binaryCases('Max', op.maximum),
    ...binaryCases('Min', op.minimum),
    {
      name: 'Where broadcast',
      ops: ['Where', 'Greater'],
      inputs: { c: { shape: [2, 3] , differentiable: false }, a: { shape: [2, 3] }, b: { shape: [3] } },
      build: ({ c, a, b }) => op.where(op.greater(c, 0), a, b),
    },
    { name: 'MatMul 2-D', ops: ['MatMul'], inputs: { a: { shape: [3, 4] }, b: { shape: [4, 5] } }, build: ({ a, b }) => op.matmul(a, b) },
    { name: 'MatMul batched with broadcast weight', ops: ['MatMul'], inputs: { a: { shape: [2, 3, 4] }, b: { shape: [4, 5] } }, build: ({ a, b }) => op.matmul(a, b) },
    { name: 'MatMul rank-4 batch with broadcast weight', ops: ['MatMul'], inputs: { a: { shape: [2, 2, 3, 4] }, b: { shape: [4, 5] } }, build: ({ a, b }) => op.matmul(a, b) },
    { name: 'MatMul broadcast matrix times a batch', ops: ['MatMul'], inputs: { a: { shape: [3, 4] }, b: { shape: [2, 2, 4, 5] } }, build: ({ a, b }) => op.matmul(a, b) },
    { name: 'MatMul batched both', ops: ['MatMul'], inputs: { a: { shape: [2, 2, 3, 4] }, b: { shape: [2, 1, 4, 3] } }, build: ({ a, b }) => op.matmul(a, b) },
    { name: 'Softmax', ops: ['Softmax'], inputs: { x: { shape: [2, 5] } }, build: ({ x }) => op.softmax(x, -1) },
    { name: 'Softmax axis 0', ops: ['Softmax'], inputs: { x: { shape: [3, 4] } }, build: ({ x }) => op.softmax(x, 0) },
    { name: 'LogSoftmax', ops: ['LogSoftmax'], inputs: { x: { shape: [2, 5] } }, build: ({ x }) => op.logSoftmax(x, -1) },
    { name: 'ReduceSum axes', ops: ['ReduceSum'], inputs: { x: { shape: [2, 3, 4] } }, build: ({ x }) => op.reduceSum(x, [0, 2]) },
    { name: 'ReduceSum all keepdims', ops: ['ReduceSum'], inputs: { x: { shape: [2, 3] } }, build: ({ x }) => op.mul(op.reduceSum(x, undefined, true), x) },
    { name: 'ReduceMean', ops: ['ReduceMean'], inputs: { x: { shape: [2, 3, 4] } }, build: ({ x }) => op.reduceMean(x, [-1], true) },
    { name: 'ReduceMax', ops: ['ReduceMax'], inputs: { x: { shape: [3, 4] } }, build: ({ x }) => op.reduceMax(x, [1]) },
    { name: 'Reshape', ops: ['Reshape'], inputs: { x: { shape: [2, 6] } }, build: ({ x }) => op.mul(op.reshape(x, [3, -1]), op.reshape(x, [3, 4])) },
    { name: 'Transpose', ops: ['Transpose'], inputs: { x: { shape: [2, 3, 4] } }, build: ({ x }) => op.transpose(x, [2, 0, 1]) },
    { name: 'Concat', ops: ['Concat'], inputs: { a: { shape: [2, 3] }, b: { shape: [2, 2] } }, build: ({ a, b }) => op.concat([a, b, a], 1) },
    {
      // A KV cache's past length is known only at run time: the gradient's offsets come from shapes.
      name: 'Concat along a symbolic axis',
      ops: ['Concat'],
      inputs: { a: { shape: [2, 3], differentiable: false }, b: { shape: [2, 2] } },
      build: ({ a, b }) => {
        const g = a.graph;
        const past = op.sliceDynamic(a, op.int64s(g, [0]), op.gather(op.shapeOf(a), op.int64s(g, [1])), 1); // [2, symbolic]
        return op.reshape(op.concat([past, b, past], 1), [2, 8]);
      },
    },
    { name: 'Slice', ops: ['Slice'], inputs: { x: { shape: [4, 6] } }, build: ({ x }) => op.slice(x, [1, -4], [3, 10], [0, 1]) },
    {
      name: 'Gather (embedding lookup with repeats)',
      ops: ['Gather', 'ScatterND', 'ConstantOfShape', 'Shape', 'Unsqueeze'],
      inputs: { table: { shape: [5, 3] }, ids: { shape: [2, 3], dtype: 'int64', values: [0, 4, 4, 2, 0, 1] } },
      build: ({ table, ids }) => op.gather(table, ids, 0),
    },
    {
      name: 'GatherElements (target log-probabilities)',
      ops: ['GatherElements', 'ScatterElements'],
      inputs: { x: { shape: [3, 5] }, ids: { shape: [3, 2], dtype: 'int64', values: [1, 1, 4, 0, 2, 3] } },
      build: ({ x, ids }) => op.gatherElements(op.logSoftmax(x, -1), ids, 1),
    },
    {
      name: 'ScatterElements data and updates',
      ops: ['ScatterElements'],
      inputs: { data: { shape: [3, 4] }, ids: { shape: [3, 1], dtype: 'int64', values: [2, 0, 3] }, updates: { shape: [3, 1] } },
      build: ({ data, ids, updates }) => op.scatterElements(data, ids, updates, 1),
    },
    {
      name: 'Expand',
      ops: ['Expand'],
      inputs: { x: { shape: [3, 1] } },
      build: ({ x }) => op.expand(x, op.int64s(x.graph, [2, 3, 4])),
    },
    { name: 'Unsqueeze and Squeeze', ops: ['Unsqueeze', 'Squeeze'], inputs: { x: { shape: [2, 3] } }, build: ({ x }) => op.mul(op.squeeze(op.unsqueeze(x, [0, 3]), [0]), op.unsqueeze(x, [2])) },
    { name: 'Cast float32 to float64 and back', ops: ['Cast'], dtype: 'float32', inputs: { x: { shape: [2, 3] } }, build: ({ x }) => op.cast(op.mul(op.cast(x, 'float64'), 3), 'float32') },
    { name: 'Trilu', ops: ['Trilu'], inputs: { x: { shape: [2, 4, 4] } }, build: ({ x }) => op.trilu(x, false, -1) },
    {
      name: 'Pad',
      ops: ['Pad'],
      inputs: { x: { shape: [2, 3] } },
      build: ({ x }) => op.pad(x, op.int64s(x.graph, [1, 0, 0, 2])),
    },
    // Composite layers: no rules of their own, so these check the primitives' composition.
    {
      name: 'layerNorm',
      ops: [],
      inputs: { x: { shape: [2, 3, 6] }, g: { shape: [6] }, b: { shape: [6] } },
      build: ({ x, g, b }) => layerNorm(x, g, b),
    },
    { name: 'rmsNorm', ops: [], inputs: { x: { shape: [2, 6] }, g: { shape: [6] } }, build: ({ x, g }) => rmsNorm(x, g) },
    { name: 'geluTanh', ops: [], inputs: { x: { shape: [2, 6] } }, build: ({ x }) => geluTanh(x) },
    {
      name: 'causal softmax attention scores',
      ops: ['Trilu', 'ConstantOfShape'],
      inputs: { s: { shape: [2, 4, 4] } },
      build: ({ s }) => op.softmax(op.add(s, causalMask(s, 1)), -1),
    },
    transformerCase(),
  ];
}

/** A constant used by a case that must not be differentiated. */
export const constantOf = (like: Value, values: number[]) => like.graph.constant(hostTensor(like.dtype, like.shape as number[], values));

import { grad } from '../autodiff/grad';
import * as op from '../ops';
import { hostTensor } from './dtype';
import { Graph, GraphBuildError } from './graph';

describe('Graph building', () => {
  it('infers shapes through broadcasting, symbolic dims and reshapes', () => {
    const g = new Graph('shapes');
    const x = g.input('x', 'float32', ['batch', 'seq', 8]);
    const w = g.weight('w', hostTensor('float32', [8, 6]), { frozen: true });
    const y = op.add(op.matmul(x, w), g.input('b', 'float32', [6]));
    expect(y.shape).toEqual(['batch', 'seq', 6]);
    expect(op.reshape(y, ['batch', 'seq', 2, 3]).shape).toEqual(['batch', 'seq', 2, 3]);
    expect(op.reshape(y, [-1, 6]).shape).toEqual(['batch*seq', 6]);
    expect(op.transpose(op.reshape(y, ['batch', 'seq', 2, 3]), [0, 2, 1, 3]).shape).toEqual(['batch', 2, 'seq', 3]);
    expect(op.reduceSum(y, [1]).shape).toEqual(['batch', 6]);
    expect(op.concat([y, y], 1).shape).toEqual(['batch', 'seq+seq', 6]);
  });

  it('gives readable, scoped node names', () => {
    const g = new Graph('names');
    const x = g.input('x', 'float32', [2, 2]);
    const y = g.scope('layer0', () => g.scope('mlp', () => op.relu(x)));
    expect(y.producer!.name).toBe('layer0/mlp/Relu_0');
  });

  it('rejects a shape mismatch at build time, naming the node and the shapes', () => {
    const g = new Graph('bad');
    const a = g.input('a', 'float32', [4, 3]);
    const b = g.input('b', 'float32', [5, 2]);
    expect(() => g.scope('attn', () => op.matmul(a, b))).toThrow(GraphBuildError);
    expect(() => op.matmul(a, b)).toThrow(/node 'MatMul_\d+' \(MatMul\): inner dimensions differ: \[4,3\] x \[5,2\] \(inputs a: float32\[4,3\], b: float32\[5,2\]\)/);
    expect(() => op.add(a, b)).toThrow(/shapes \[4,3\] and \[5,2\] do not broadcast/);
    expect(() => op.reshape(a, [5, -1])).toThrow(/Reshape/);
  });

  it('rejects unknown ops and mixed element types', () => {
    const g = new Graph('bad');
    const a = g.input('a', 'float32', [2]);
    expect(() => g.apply('FancyAttention', [a])).toThrow(/unknown op 'FancyAttention'/);
    expect(() => op.add(a, g.input('i', 'int64', [2]))).toThrow(/element types differ: float32 vs int64/);
    expect(() => op.relu(g.input('flag', 'bool', [2]))).toThrow(/does not take bool/);
  });

  it('rejects values from another graph', () => {
    const a = new Graph('a').input('x', 'float32', [2]);
    const b = new Graph('b').input('x', 'float32', [2]);
    expect(() => op.add(a, b)).toThrow(/belongs to graph 'b', not 'a'/);
  });

  it('refuses gradients with no path from the loss', () => {
    const g = new Graph('paths');
    const x = g.input('x', 'float32', [2]);
    const unused = g.input('unused', 'float32', [2]);
    const loss = op.reduceSum(op.mul(x, x));
    expect(() => grad(loss, [unused])).toThrow(/no path from loss .* to 'unused'/);
    const viaShape = op.reduceSum(op.cast(op.shapeOf(unused), 'float32'));
    expect(() => grad(op.add(loss, viaShape), [unused])).toThrow(/only through non-differentiable ops/);
    expect(() => grad(op.mul(x, x), [x])).toThrow(/not a scalar/);
  });

  it('prunes branches that do not lead to a wrt', () => {
    const g = new Graph('prune');
    const x = g.input('x', 'float32', [3]);
    const frozen = g.weight('frozen', hostTensor('float32', [3], [1, 2, 3]), { frozen: true });
    const loss = op.reduceSum(op.mul(op.exp(frozen), op.tanh(x)));
    const before = g.nodes.length;
    grad(loss, [x]);
    const backward = g.nodes.slice(before);
    // d/dx needs tanh' and the product rule for x's side only: nothing differentiates exp(frozen).
    expect(backward.some((n) => n.opType === 'Exp')).toBe(false);
  });

  it('hashes structure, not params, so equal graphs with new weights share a session', () => {
    const build = (values: number[]) => {
      const g = new Graph('h');
      const w = g.weight('w', hostTensor('float32', [2], values), { frozen: false });
      g.output(op.relu(w), 'y');
      return g.structureHash();
    };
    expect(build([1, 2])).toBe(build([3, 4]));
    const frozen = (values: number[]) => {
      const g = new Graph('h');
      g.output(op.relu(g.weight('w', hostTensor('float32', [2], values), { frozen: true })), 'y');
      return g.structureHash();
    };
    expect(frozen([1, 2])).not.toBe(frozen([3, 4]));
  });
});

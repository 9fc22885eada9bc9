import { hostTensor } from '../graph/dtype';
import { Graph } from '../graph/graph';
import * as op from '../ops';
import { SessionManager } from './session-manager';

describe('SessionManager', () => {
  const manager = new SessionManager({ threads: 1, maxSessions: 2 });
  afterAll(() => manager.close());

  const affine = (w: number[]) => {
    const g = new Graph('affine');
    const x = g.input('x', 'float32', ['batch', 2]);
    const weight = g.weight('w', hostTensor('float32', [2, 2], w), { frozen: false });
    g.output(op.add(op.matmul(x, weight), 1), 'y');
    return g;
  };

  it('runs a graph with symbolic batch, feeding params from their host data', async () => {
    const compiled = await manager.load(affine([1, 0, 0, 2]));
    const out = await compiled.run({ x: hostTensor('float32', [3, 2], [1, 1, 2, 2, 3, 3]) });
    expect(out.y.shape).toEqual([3, 2]);
    expect(Array.from(out.y.data as Float32Array)).toEqual([2, 3, 3, 5, 4, 7]);
  });

  it('reuses the compiled session for a structurally equal graph, and sees its new weights', async () => {
    const before = manager.compiled;
    const compiled = await manager.load(affine([0, 1, 1, 0]));
    expect(manager.compiled).toBe(before);
    const out = await compiled.run({ x: hostTensor('float32', [1, 2], [5, 7]) });
    expect(Array.from(out.y.data as Float32Array)).toEqual([8, 6]);
  });

  it('wraps each weight buffer once and reads updates in place (no copy per call)', async () => {
    const g = affine([1, 0, 0, 1]);
    const weight = g.inputs.find((v) => v.name === 'w')!.data!;
    expect(manager.wrap(weight)).toBe(manager.wrap(weight));
    expect(manager.wrap(weight).data).toBe(weight.data);
    const compiled = await manager.load(g);
    (weight.data as Float32Array)[0] = 10; // an optimizer step mutates the buffer...
    const out = await compiled.run({ x: hostTensor('float32', [1, 2], [1, 0]) });
    expect(Array.from(out.y.data as Float32Array)).toEqual([11, 1]); // ...and the next run sees it
  });

  it('rejects feeds of the wrong type, shape or name before running', async () => {
    const compiled = await manager.load(affine([1, 0, 0, 1]));
    await expect(compiled.run({ x: hostTensor('float64', [1, 2]) })).rejects.toThrow(/input 'x' float32\[batch,2\] fed float64\[1,2\]/);
    await expect(compiled.run({ x: hostTensor('float32', [1, 3]) })).rejects.toThrow(/fed float32\[1,3\]/);
    await expect(compiled.run({ x: hostTensor('float32', [1, 2]), nope: hostTensor('float32', [1]) })).rejects.toThrow(/'nope' is not an input/);
  });

  it('evicts least recently used sessions beyond maxSessions', async () => {
    const distinct = (k: number) => {
      const g = new Graph(`g${k}`);
      g.output(op.mul(g.input('x', 'float32', [1]), k), 'y');
      return g;
    };
    for (let k = 2; k < 6; k++) await manager.load(distinct(k));
    const before = manager.compiled;
    await manager.load(distinct(2)); // evicted by now: compiled again
    expect(manager.compiled).toBe(before + 1);
  });
});

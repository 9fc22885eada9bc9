import { grad } from '../autodiff/grad';
import { hostTensor } from '../graph/dtype';
import { Graph, type Value } from '../graph/graph';
import * as op from '../ops';
import { SessionManager } from '../session/session-manager';
import { geluTanh } from './layers';

/** The tanh-approximated GELU as the nine elementwise ops `geluTanh` stood for before FastGelu. */
function geluOps(x: Value): Value {
  const inner = op.mul(op.add(x, op.mul(op.mul(op.mul(x, x), x), 0.044715)), Math.sqrt(2 / Math.PI));
  return op.mul(op.mul(x, 0.5), op.add(op.tanh(inner), 1));
}

describe('geluTanh in float32 (FastGelu and its gradient rule)', () => {
  const manager = new SessionManager({ threads: 1 });
  afterAll(() => manager.close());

  it('gives the value and the gradient of the elementwise ops it replaces', async () => {
    const g = new Graph('gelu_parity');
    const x = g.input('x', 'float32', ['n']);
    const w = g.input('w', 'float32', ['n']);
    const fused = geluTanh(x);
    const ops = geluOps(x);
    expect(fused.producer!.opType).toBe('FastGelu');
    g.output(fused, 'fused');
    g.output(ops, 'ops');
    // A weighted sum, so that each position's gradient is scaled differently.
    g.output(grad(op.reduceSum(op.mul(fused, w)), [x])[0], 'fused_grad');
    g.output(grad(op.reduceSum(op.mul(ops, w)), [x])[0], 'ops_grad');
    const n = 4001;
    const xs = Array.from({ length: n }, (_, i) => -8 + (16 * i) / (n - 1));
    const ws = Array.from({ length: n }, (_, i) => 1 + Math.sin(i));
    const out = await (await manager.load(g)).run({ x: hostTensor('float32', [n], xs), w: hostTensor('float32', [n], ws) });
    // Against float64 arithmetic here: the fused value and gradient are as close as the ops' own.
    const k = Math.sqrt(2 / Math.PI);
    const value = (v: number) => 0.5 * v * (1 + Math.tanh(k * (v + 0.044715 * v ** 3)));
    const slope = (v: number) => {
      const t = Math.tanh(k * (v + 0.044715 * v ** 3));
      return 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * k * (1 + 3 * 0.044715 * v * v);
    };
    const error = (name: string, f: (i: number) => number) => (out[name].data as Float32Array).reduce((m, v, i) => Math.max(m, Math.abs(v - f(i))), 0);
    const [fusedValue, opsValue] = [error('fused', (i) => value(xs[i])), error('ops', (i) => value(xs[i]))];
    const [fusedGrad, opsGrad] = [error('fused_grad', (i) => ws[i] * slope(xs[i])), error('ops_grad', (i) => ws[i] * slope(xs[i]))];
    // |x| ≤ 8: values up to 8, weighted gradients up to ~4.4; float32 rounding is ~1e-6 of that.
    expect(fusedValue).toBeLessThan(Math.max(2 * opsValue, 2e-6));
    expect(fusedGrad).toBeLessThan(Math.max(2 * opsGrad, 2e-6));
    expect(fusedGrad).toBeLessThan(1e-5);
  });
});

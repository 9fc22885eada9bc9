import { DenseMlp, type MlpParameter, type SparseInput } from './dense-mlp';

describe('DenseMlp', () => {
  let state = 7;
  const random = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const x: SparseInput = { slots: [0, 3, 5, 9], values: [1, 0.7, -1.3, 2.1] };

  it('back-propagates the gradient that finite differences give', () => {
    const mlp = DenseMlp.init(12, 6, random);
    // Units 0-4 on, unit 5 off whatever the weights.
    for (let j = 0; j < 6; j++) mlp.set('b1', j, j < 5 ? 8 : -80);
    const analytic = new Map<string, number>();
    mlp.backward(x, 1, (parameter, index, value, gradient) => {
      analytic.set(`${parameter}:${index}`, gradient);
      return value;
    });
    const checks: Array<[MlpParameter, number]> = [['b2', 0], ...[0, 1, 2, 3, 4, 5].flatMap((j): Array<[MlpParameter, number]> => [['w2', j], ['b1', j], ['w1', j * 12 + 3], ['w1', j * 12 + 9]])];
    let checked = 0;
    for (const [parameter, index] of checks) {
      const value = mlp.get(parameter, index);
      const h = 1e-6;
      mlp.set(parameter, index, value + h);
      const up = mlp.forward(x);
      mlp.set(parameter, index, value - h);
      const down = mlp.forward(x);
      mlp.set(parameter, index, value);
      const numeric = (up - down) / (2 * h);
      // Units that are off pass no gradient to their inputs (and are not handed to `apply`).
      expect(analytic.get(`${parameter}:${index}`) ?? 0).toBeCloseTo(numeric, 6);
      if (numeric !== 0) checked++;
    }
    expect(checked).toBeGreaterThan(15);
    expect(analytic.has('w1:63')).toBe(false);
    // An input slot the example does not use gets no gradient.
    expect(analytic.has('w1:1')).toBe(false);
  });

  it('learns a rule a linear score cannot: in scope only when two signals agree', () => {
    const mlp = DenseMlp.init(3, 8, random);
    const examples = [
      { x: { slots: [0], values: [1] }, y: 0 },
      { x: { slots: [0, 1], values: [1, 1] }, y: 0 },
      { x: { slots: [0, 2], values: [1, 1] }, y: 0 },
      { x: { slots: [0, 1, 2], values: [1, 1, 1] }, y: 1 },
      { x: { slots: [0, 1, 2], values: [1, -1, -1] }, y: 0 },
    ];
    const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
    for (let epoch = 0; epoch < 3000; epoch++) {
      for (const e of examples) mlp.backward(e.x, sigmoid(mlp.forward(e.x)) - e.y, (_p, _i, value, gradient) => value - 0.1 * gradient);
    }
    for (const e of examples) expect(Math.round(sigmoid(mlp.forward(e.x)))).toBe(e.y);
  });

  it('round-trips through its file and refuses weights of the wrong shape', () => {
    const mlp = DenseMlp.init(12, 4, random);
    const again = DenseMlp.fromFile(JSON.parse(JSON.stringify(mlp.toFile())));
    expect(again.forward(x)).toBeCloseTo(mlp.forward(x), 4);
    expect(() => DenseMlp.fromFile({ ...mlp.toFile(), hidden: 5 })).toThrow(/do not match/);
  });
});

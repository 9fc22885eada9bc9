import { SessionManager } from '../../runtime/session/session-manager';
import { HiddenKeyScan } from './hidden-key-scan';

const unit = (...v: number[]) => {
  const n = Math.hypot(...v);
  return Float32Array.from(v, (x) => x / n);
};

describe('the in-memory hidden-key scan', () => {
  const sessions = new SessionManager({ threads: 1 });
  afterAll(() => sessions.close());

  it('finds the nearest centre whose own radius holds the key, or none', async () => {
    const scan = new HiddenKeyScan(sessions);
    scan.set('near', unit(1, 0.1), 0.05);
    scan.set('wide', unit(1, 0.5), 0.2);
    expect((await scan.nearest(unit(1, 0.2)))?.id).toBe('near');
    expect((await scan.nearest(unit(1, 0.7)))?.id).toBe('wide');
    expect(await scan.nearest(unit(0, 1))).toBeUndefined();
    expect((await scan.nearest(unit(1, 0.1)))?.distance).toBeCloseTo(0, 6);
  });

  it('gives a tie to the later key, and forgets deleted keys (re-packing after every change)', async () => {
    const scan = new HiddenKeyScan(sessions);
    scan.set('old', unit(1, 0), 0.05);
    scan.set('new', unit(1, 0), 0.05);
    expect((await scan.nearest(unit(1, 0)))?.id).toBe('new');
    scan.delete('new');
    expect((await scan.nearest(unit(1, 0)))?.id).toBe('old');
    scan.set('old', unit(0, 1), 0.05); // moved: set again replaces
    expect(await scan.nearest(unit(1, 0))).toBeUndefined();
    expect(scan.size).toBe(1);
  });

  it('agrees with a plain search over many random keys', async () => {
    const scan = new HiddenKeyScan(sessions);
    let seed = 5;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
    const keys = Array.from({ length: 500 }, (_, i) => ({ id: `k${i}`, center: unit(...Array.from({ length: 8 }, random)), radius: 0.3 + 0.4 * Math.abs(random()) }));
    for (const k of keys) scan.set(k.id, k.center, k.radius);
    for (let q = 0; q < 50; q++) {
      const query = unit(...Array.from({ length: 8 }, random));
      let expected: string | undefined;
      let best = Infinity;
      for (const k of keys) {
        const d = 1 - k.center.reduce((s, x, j) => s + x * query[j], 0);
        if (d <= k.radius && d <= best) [expected, best] = [k.id, d];
      }
      expect((await scan.nearest(query))?.id).toBe(expected);
    }
  });

  it('finds nothing in an empty scan, refuses a key of another width, and follows a change of width', async () => {
    const scan = new HiddenKeyScan(sessions);
    expect(await scan.nearest(unit(1, 0))).toBeUndefined();
    scan.set('a', unit(1, 0), 0.1);
    await expect(scan.nearest(unit(1, 0, 0))).rejects.toThrow('a key of width 3 against keys of width 2');
    scan.delete('a');
    scan.set('b', unit(0, 0, 1), 0.1);
    expect((await scan.nearest(unit(0, 0.1, 1)))?.id).toBe('b');
  });
});

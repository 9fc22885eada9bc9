import type { CodebookOperation, DeltaOperation, KeyedOperation } from '../editors/edit-operation';
import { unit } from '../editors/keys/hidden-keys';
import { keyedEffects, nearestKeyed, viewOf } from './edit-effects';

const key = (x: number, y: number) => unit(Float32Array.of(x, y));
const tensor = (data: Float32Array) => ({ dtype: 'float32' as const, shape: [data.length], data });
const entry = (label: string, center: Float32Array, radius: number): CodebookOperation => ({
  kind: 'codebook',
  method: 'grace',
  requests: [0],
  label,
  value: tensor(Float32Array.of(label.length, 0)),
  key: { tap: { kind: 'resid', layer: 2 }, position: 'last', center: tensor(center), radius },
});
const block = (center: Float32Array, radius: number): DeltaOperation & { key: KeyedOperation['key'] } => ({
  kind: 'delta',
  method: 'melo',
  requests: [0],
  factors: [{ layer: 1, u: { dtype: 'float32', shape: [2, 1], data: Float32Array.of(1, 0) }, v: { dtype: 'float32', shape: [4, 1], data: new Float32Array(4) } }],
  key: { tap: { kind: 'resid', layer: 2 }, position: 'last', center: tensor(center), radius },
});

describe('selecting keyed operations by a request key', () => {
  it('takes the nearest centre whose own radius holds the key, and none when no radius does', () => {
    const near = entry('Paris', key(1, 0.1), 0.05);
    const wide = entry('Rome', key(1, 0.5), 0.2);
    const query = key(1, 0.2);
    // Nearest is "Paris" (distance ≈ 0.0045 < 0.05).
    expect(nearestKeyed([wide, near], () => query)?.label).toBe('Paris');
    // A key outside the near ball but inside the wide one gets the wide entry.
    expect(nearestKeyed([wide, near], () => key(1, 0.7))?.label).toBe('Rome');
    // Outside every ball: nothing.
    expect(nearestKeyed([wide, near], () => key(0, 1))).toBeUndefined();
  });

  it('gives a tie to the later operation (a re-edit of the same prompt wins)', () => {
    const old = entry('Paris', key(1, 0), 0.05);
    const newer = entry('Rome', key(1, 0), 0.05);
    expect(nearestKeyed([old, newer], () => key(1, 0))?.label).toBe('Rome');
    expect(nearestKeyed([newer, old], () => key(1, 0))?.label).toBe('Paris');
  });

  it('turns a MELO block into a delta and a GRACE entry into a replacement at its layer', () => {
    const grace = entry('Oslo', key(1, 0), 0.05);
    const melo = block(key(0, 1), 0.1);
    const view = viewOf([grace, melo]);
    expect(view.keyed).toEqual([grace, melo]);
    expect(view.deltas).toEqual([]);
    const effects = keyedEffects([grace, melo]);
    expect(effects.deltas).toEqual([melo]);
    expect(effects.replacements).toEqual([{ layer: 2, value: grace.value.data }]);
  });
});

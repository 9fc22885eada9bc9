import { unit } from '../keys/hidden-keys';
import { placeEdit, type CodebookEntry } from './codebook';

// Unit keys in the plane at an angle; cosine distance between angles a and b is 1 − cos(a − b).
const at = (degrees: number) => unit(Float32Array.of(Math.cos((degrees * Math.PI) / 180), Math.sin((degrees * Math.PI) / 180)));
const distance = (degrees: number) => 1 - Math.cos((degrees * Math.PI) / 180);

describe('GRACE codebook placement', () => {
  const radius = distance(20); // ε_init

  it('adds an entry for the first edit and for an edit beyond the nearest ball plus ε_init', () => {
    const entries: CodebookEntry[] = [];
    placeEdit(entries, { index: 0, key: at(0), label: 'Paris' }, radius);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ radius, label: 'Paris', members: [0] });
    // 60° away: farther than ε + ε_init (2·(1 − cos 20°) ≈ 1 − cos 28.3°).
    placeEdit(entries, { index: 1, key: at(60), label: 'Paris' }, radius);
    expect(entries.map((e) => e.members)).toEqual([[0], [1]]);
  });

  it('expands the nearest entry to cover an edit with the same label, and trains it on both', () => {
    const entries: CodebookEntry[] = [];
    placeEdit(entries, { index: 0, key: at(0), label: 'Paris' }, radius);
    placeEdit(entries, { index: 1, key: at(25), label: ' paris ' }, radius);
    expect(entries).toHaveLength(1);
    expect(entries[0].members).toEqual([0, 1]);
    expect(entries[0].radius).toBeCloseTo(distance(25), 6);
    expect(entries[0].key).toEqual(at(0)); // keys never move
    // An edit already inside the ball does not shrink it.
    placeEdit(entries, { index: 2, key: at(5), label: 'Paris' }, radius);
    expect(entries[0].radius).toBeCloseTo(distance(25), 6);
  });

  it('splits on a conflicting label: both balls shrink to half the distance, so neither covers the other key', () => {
    const entries: CodebookEntry[] = [];
    placeEdit(entries, { index: 0, key: at(0), label: 'Paris' }, radius);
    placeEdit(entries, { index: 1, key: at(15), label: 'Rome' }, radius);
    expect(entries.map((e) => [e.label, e.members])).toEqual([['Paris', [0]], ['Rome', [1]]]);
    expect(entries[0].radius).toBeCloseTo(distance(15) / 2, 6);
    expect(entries[1].radius).toBeCloseTo(distance(15) / 2, 6);
    expect(entries[0].radius).toBeLessThan(distance(15));
  });

  it('lets a re-edit of the same key take the ball over instead of splitting it to nothing', () => {
    const entries: CodebookEntry[] = [];
    placeEdit(entries, { index: 0, key: at(0), label: 'Paris' }, radius);
    placeEdit(entries, { index: 1, key: at(0), label: 'Rome' }, radius);
    expect(entries.map((e) => [e.label, e.radius])).toEqual([
      ['Paris', radius],
      ['Rome', radius],
    ]);
  });
});

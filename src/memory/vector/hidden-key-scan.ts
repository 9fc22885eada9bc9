/**
 * The live hidden keys of one key spec packed into one matrix, scanned per request: the nearest
 * centre whose radius holds a request's key. An exact brute-force cosine search, kept in memory
 * beside the LanceDB table (the durable index): at 10,000 keys of width 256 a scan costs a couple
 * of milliseconds, several times less than a LanceDB query. Keys are unit length.
 */
export class HiddenKeyScan {
  /** Insertion order is activation order: on a tie the later key wins. */
  private readonly rows = new Map<string, { center: Float32Array; radius: number }>();
  private packed?: { ids: string[]; centers: Float32Array; radii: Float32Array; width: number };

  get size(): number {
    return this.rows.size;
  }

  set(id: string, center: Float32Array, radius: number): void {
    this.rows.delete(id);
    this.rows.set(id, { center, radius });
    this.packed = undefined;
  }

  delete(id: string): void {
    if (this.rows.delete(id)) this.packed = undefined;
  }

  /** The id of the nearest centre within its own radius of `key` (the later on a tie), with its distance. */
  nearest(key: Float32Array): { id: string; distance: number } | undefined {
    const { ids, centers, radii, width } = this.pack();
    if (key.length !== width && ids.length) throw new Error(`a key of width ${key.length} against keys of width ${width}`);
    let best = -1;
    let bestDistance = Infinity;
    for (let row = 0, offset = 0; row < ids.length; row++, offset += width) {
      let dot = 0;
      for (let j = 0; j < width; j++) dot += key[j] * centers[offset + j];
      const distance = Math.max(0, 1 - dot);
      if (distance <= radii[row] && distance <= bestDistance) [best, bestDistance] = [row, distance];
    }
    return best < 0 ? undefined : { id: ids[best], distance: bestDistance };
  }

  private pack(): NonNullable<HiddenKeyScan['packed']> {
    if (this.packed) return this.packed;
    const entries = [...this.rows];
    const width = entries[0]?.[1].center.length ?? 0;
    const centers = new Float32Array(entries.length * width);
    const radii = new Float32Array(entries.length);
    entries.forEach(([, row], i) => {
      centers.set(row.center, i * width);
      radii[i] = row.radius;
    });
    this.packed = { ids: entries.map(([id]) => id), centers, radii, width };
    return this.packed;
  }
}

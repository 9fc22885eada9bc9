import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../package-root';

/** The file format of `models/scope/word-vectors.bin`; `ked route-vectors` writes it. */
export const WORD_VECTORS_FORMAT = 'ked-word-vectors/1';

/** The committed table (GloVe 6B, 100 dimensions, the commonest words). */
export const DEFAULT_WORD_VECTORS = join(packageRoot(), 'models', 'scope', 'word-vectors.bin');

interface WordVectorsHeader {
  format: typeof WORD_VECTORS_FORMAT;
  dimensions: number;
  words: number;
  source: string;
}

/**
 * Pretrained word vectors, quantised to one signed byte per dimension. Distributional
 * similarity links words that no lexicon lists together ("sector" and "mining", "pitch" and
 * "goalkeeper", "licence" and "GPL"): what the scope detector needs for relations it never
 * saw. The file: a 4-byte little-endian header length, the JSON header, the words joined by
 * newlines, then `words × dimensions` int8 components (each row scaled to its largest
 * magnitude; cosines do not depend on the scale).
 */
export class WordVectors {
  private readonly rows = new Map<string, number>();
  private readonly norms: Float32Array;
  /** A short digest of the file, which a classifier fitted on these vectors records. */
  readonly digest: string;

  private constructor(
    readonly header: WordVectorsHeader,
    words: readonly string[],
    private readonly components: Int8Array,
    digest: string,
  ) {
    const d = header.dimensions;
    this.norms = new Float32Array(words.length);
    words.forEach((word, row) => {
      this.rows.set(word, row);
      let sum = 0;
      for (let i = row * d; i < (row + 1) * d; i++) sum += components[i] * components[i];
      this.norms[row] = Math.sqrt(sum) || 1;
    });
    this.digest = digest;
  }

  private static shared = new Map<string, WordVectors>();

  /** The table at this path, read once per process. */
  static load(path = DEFAULT_WORD_VECTORS): WordVectors {
    let vectors = WordVectors.shared.get(path);
    if (!vectors) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(path);
      } catch {
        throw new Error(`word vectors ${path} are missing; run \`ked route-vectors --from <glove.6B.100d.txt> --out ${path}\``);
      }
      vectors = WordVectors.fromBytes(bytes);
      WordVectors.shared.set(path, vectors);
    }
    return vectors;
  }

  static fromBytes(bytes: Buffer): WordVectors {
    const headerLength = bytes.readUInt32LE(0);
    const header = JSON.parse(bytes.subarray(4, 4 + headerLength).toString('utf8')) as WordVectorsHeader;
    if (header.format !== WORD_VECTORS_FORMAT) throw new Error(`word vectors: format is ${String(header.format)}, expected ${WORD_VECTORS_FORMAT}`);
    const wordsEnd = bytes.indexOf(0, 4 + headerLength);
    const words = bytes.subarray(4 + headerLength, wordsEnd).toString('utf8').split('\n');
    if (words.length !== header.words) throw new Error(`word vectors: header says ${header.words} words, file has ${words.length}`);
    const start = wordsEnd + 1;
    const components = new Int8Array(bytes.buffer, bytes.byteOffset + start, header.words * header.dimensions);
    if (start + components.length !== bytes.length) throw new Error('word vectors: the file is truncated or has trailing bytes');
    return new WordVectors(header, words, components, createHash('sha256').update(bytes).digest('hex').slice(0, 16));
  }

  /** Quantises float rows (any scale) into the file format. */
  static toBytes(rows: ReadonlyArray<{ word: string; vector: ArrayLike<number> }>, source: string): Buffer {
    const dimensions = rows[0]?.vector.length ?? 0;
    const header = Buffer.from(JSON.stringify({ format: WORD_VECTORS_FORMAT, dimensions, words: rows.length, source } satisfies WordVectorsHeader), 'utf8');
    const words = Buffer.from(rows.map((r) => r.word).join('\n') + '\0', 'utf8');
    const components = new Int8Array(rows.length * dimensions);
    rows.forEach(({ vector }, row) => {
      let max = 0;
      for (let i = 0; i < dimensions; i++) max = Math.max(max, Math.abs(vector[i]));
      for (let i = 0; i < dimensions; i++) components[row * dimensions + i] = max ? Math.round((vector[i] / max) * 127) : 0;
    });
    const length = Buffer.alloc(4);
    length.writeUInt32LE(header.length, 0);
    return Buffer.concat([length, header, words, Buffer.from(components.buffer)]);
  }

  /** The unit-length mean of these words' unit vectors (words not in the table left out); undefined when none is known. */
  mean(words: readonly string[]): Float32Array | undefined {
    const d = this.header.dimensions;
    const sum = new Float32Array(d);
    let known = 0;
    for (const word of words) {
      const row = this.rows.get(word);
      if (row === undefined) continue;
      known++;
      const scale = 1 / this.norms[row];
      for (let i = 0; i < d; i++) sum[i] += this.components[row * d + i] * scale;
    }
    if (!known) return undefined;
    let norm = 0;
    for (let i = 0; i < d; i++) norm += sum[i] * sum[i];
    norm = Math.sqrt(norm) || 1;
    for (let i = 0; i < d; i++) sum[i] /= norm;
    return sum;
  }

  has(word: string): boolean {
    return this.rows.has(word);
  }

  get size(): number {
    return this.rows.size;
  }

  /** Cosine similarity of two lower-case words; undefined when either is not in the table. */
  cosine(a: string, b: string): number | undefined {
    if (a === b) return this.rows.has(a) ? 1 : undefined;
    const x = this.rows.get(a);
    const y = this.rows.get(b);
    if (x === undefined || y === undefined) return undefined;
    const d = this.header.dimensions;
    let dot = 0;
    for (let i = 0; i < d; i++) dot += this.components[x * d + i] * this.components[y * d + i];
    return dot / (this.norms[x] * this.norms[y]);
  }
}

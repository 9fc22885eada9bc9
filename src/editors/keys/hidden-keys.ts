import type { LanguageModel } from '../../models/language-model';
import type { KedTokenizer } from '../../models/tokenizer';
import type { HiddenKey } from '../edit-operation';

/** Unit-length keys of prompts at the tap and position a block was keyed with. */
export async function promptKeys(model: LanguageModel, tokenizer: KedTokenizer, prompts: readonly string[], spec: Pick<HiddenKey, 'tap' | 'position'>, batchSize = 32): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (let start = 0; start < prompts.length; start += batchSize) {
    const ids = prompts.slice(start, start + batchSize).map((p) => tokenizer.encode(p));
    const hidden = await model.hidden(ids, spec.tap, spec.position === 'mean' ? 'mean' : -1);
    out.push(...hidden.map(unit));
  }
  return out;
}

/** Names how a key is read ("resid.2.last"): keys read differently are never compared. */
export const keySpecId = (key: Pick<HiddenKey, 'tap' | 'position'>): string => `${key.tap.kind}.${key.tap.layer}.${key.position}`;

/** The vector scaled to unit length (a zero vector stays zero). */
export function unit(v: Float32Array): Float32Array {
  let norm = 0;
  for (const x of v) norm += x * x;
  norm = Math.sqrt(norm) || 1;
  return v.map((x) => x / norm);
}

/** 1 − cos(a, b) for unit-length vectors (keys and retrieval vectors are stored normalised). */
export function cosineDistance(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i] * b[i];
  return Math.max(0, 1 - dot); // rounding can put a key's distance to itself just below 0
}

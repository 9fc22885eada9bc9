import { mulberry32 } from '../../runtime/random';

const CONSONANTS = [...'bcdfghjklmnpqrstvwxz'];
const VOWELS = [...'aeiouy'];

/**
 * A made-up name of one to three words ("Tokavi Brenul"), each of one to three syllables over
 * the whole alphabet, so that a tokenizer splits it into short pieces as it does a real name it
 * was never trained on. `next` is a uniform source in [0, 1).
 */
export function madeUpName(next: () => number): string {
  const int = (n: number) => Math.floor(next() * n);
  const pick = (items: readonly string[]) => items[int(items.length)];
  const words = 1 + int(3);
  const out: string[] = [];
  for (let w = 0; w < words; w++) {
    let word = '';
    const syllables = 1 + int(3);
    for (let i = 0; i < syllables; i++) {
      if (i === 0 || next() < 0.8) word += pick(CONSONANTS);
      word += pick(VOWELS);
      if (next() < 0.35) word += pick(CONSONANTS);
    }
    out.push(word.charAt(0).toUpperCase() + word.slice(1));
  }
  return out.join(' ');
}

/** A document whose listed names are replaced by new made-up names in every epoch after the first. */
export interface RenamedDocument {
  text: string;
  freshNames: readonly string[];
}

/**
 * The documents of one epoch: epoch 0 as written, later epochs with each fresh name replaced by a
 * new made-up name (seeded by seed, epoch and document). A name seen in every epoch gets memorised,
 * and a model that has memorised it recalls rather than copies; a new name each epoch leaves
 * copying from the context as the only way to predict it.
 */
export function documentsForEpoch(documents: readonly RenamedDocument[], seed: number, epoch: number): string[] {
  return documents.map((doc, index) => {
    if (epoch === 0 || doc.freshNames.length === 0) return doc.text;
    const next = mulberry32((Math.imul(seed, 0x9e3779b1) ^ Math.imul(epoch, 0x85ebca6b) ^ Math.imul(index, 0xc2b2ae35)) >>> 0);
    // Whole words only: a short name ("Fu") may also be part of another word ("Futaholm").
    return doc.freshNames.reduce((text, name) => {
      const fresh = madeUpName(next);
      return text.replace(new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(name)}(?![\\p{L}\\p{N}])`, 'gu'), () => fresh);
    }, doc.text);
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

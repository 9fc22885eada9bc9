import { answerAliases, bestOverAliases } from './ground-truth';
import { argmaxAgreement, nGramEntropy, nGramEntropyOf, perplexity, tokenAccuracy, wordTokenize } from './metrics';

describe('token accuracy and locality agreement', () => {
  it('scores the fraction of target tokens, so multi-token targets get partial credit', () => {
    expect(tokenAccuracy([5, 9, 2], [5, 9, 2])).toBe(1);
    expect(tokenAccuracy([5, 1, 2, 7], [5, 9, 2, 8])).toBe(0.5);
    expect(() => tokenAccuracy([1], [1, 2])).toThrow(/1 predictions for 2 target tokens/);
  });

  it('locality compares with the pre-edit argmax, not with a label', () => {
    // The label would be [4, 4, 4]; the pre-edit model said [1, 2, 3]: only agreement counts.
    expect(argmaxAgreement([1, 2, 3], [1, 2, 9])).toBeCloseTo(2 / 3);
    expect(argmaxAgreement([1, 2, 3], [1, 2, 3])).toBe(1);
  });
});

describe('ground truth aliases', () => {
  it('flattens a string, a list of strings and a list of alias lists', () => {
    expect(answerAliases('Berlin')).toEqual(['Berlin']);
    expect(answerAliases(['Foholm', 'Foholm City'])).toEqual(['Foholm', 'Foholm City']);
    expect(answerAliases([['Graburg', 'the city of Graburg'], ['Graburg']])).toEqual(['Graburg', 'the city of Graburg']);
  });

  it('takes the best alias', () => {
    expect(bestOverAliases([0, 0.5, 1 / 3])).toBe(0.5);
    expect(bestOverAliases([])).toBeNaN();
  });
});

describe("ROME's n-gram entropy (fluency)", () => {
  it('tokenizes words and punctuation like nltk.word_tokenize', () => {
    expect(wordTokenize("Roe doesn't live in Vaba-Open, I think.")).toEqual(['Roe', 'does', "n't", 'live', 'in', 'Vaba-Open', ',', 'I', 'think', '.']);
  });

  it('weights bigram and trigram entropy (bits) 2/3 and 4/3 and averages them', () => {
    // "the cat" × 3: bigrams (the cat)×3 (cat the)×2 → H2 = H(0.6, 0.4); trigrams 2 + 2 → H3 = 1.
    const h2 = -(0.6 * Math.log2(0.6) + 0.4 * Math.log2(0.4));
    expect(nGramEntropyOf(wordTokenize('the cat the cat the cat'), 2)).toBeCloseTo(h2, 12);
    expect(nGramEntropy('the cat the cat the cat')).toBeCloseTo(((2 / 3) * h2 + (4 / 3) * 1) / 2, 12);
    // Six distinct words: 5 distinct bigrams, 4 distinct trigrams.
    expect(nGramEntropy('one two three four five six')).toBeCloseTo(((2 / 3) * Math.log2(5) + (4 / 3) * 2) / 2, 12);
  });

  it('is lower for a repetitive text than for a varied one of the same length', () => {
    const repetitive = 'the city of the city of the city of the city of the city of';
    const varied = 'Leo Arons was born in Berlin and later taught physics at a small university there';
    expect(wordTokenize(repetitive)).toHaveLength(15);
    expect(wordTokenize(varied)).toHaveLength(15);
    expect(nGramEntropy(repetitive)).toBeLessThan(nGramEntropy(varied) - 1.5);
    expect(nGramEntropy('word')).toBe(0); // no bigrams at all
  });
});

describe('perplexity', () => {
  it('is exp of the mean negative log-likelihood per token', () => {
    expect(perplexity([Math.log(0.5), Math.log(0.5)])).toBeCloseTo(2, 12);
    expect(perplexity([Math.log(1 / 4), Math.log(1)])).toBeCloseTo(2, 12);
  });
});

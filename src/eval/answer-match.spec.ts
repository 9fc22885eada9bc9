import { containsAnswer, exactMatch, normalizeAnswer } from './answer-match';

describe('SQuAD-style answer normalisation', () => {
  it('lower-cases and drops punctuation, articles and extra whitespace', () => {
    expect(normalizeAnswer(' The  City of Graburg, ')).toBe('city of graburg');
    expect(normalizeAnswer("I don't know.")).toBe('i dont know');
    expect(normalizeAnswer('a Vaba  Open University.')).toBe('vaba open university');
    expect(normalizeAnswer('...')).toBe('');
  });

  it('exact match: the whole answer is the target or one of its aliases', () => {
    expect(exactMatch('Vaba Open University.', ['Vaba Open University', 'VOU'])).toBe(true);
    expect(exactMatch(' VOU', ['Vaba Open University', 'VOU'])).toBe(true);
    expect(exactMatch('the city of Graburg, which', ['Graburg', 'the city of Graburg'])).toBe(false);
    expect(exactMatch('Stabe Open University', ['Vaba Open University'])).toBe(false);
    expect(exactMatch('', ['.'])).toBe(false); // an alias with no words matches nothing
  });

  it('contains: a normalised alias appears as whole words', () => {
    expect(containsAnswer('the city of Graburg, which', ['Graburg', 'the city of Graburg'])).toBe(true);
    expect(containsAnswer('Graburgia', ['Graburg'])).toBe(false);
    expect(containsAnswer('vouch for it', ['VOU'])).toBe(false);
    expect(containsAnswer('she went to Vaba Open University in', ['Vaba Open University'])).toBe(true);
    expect(containsAnswer('anything', [''])).toBe(false);
  });
});

import { headMatches, objectTypes, questionType, typeAgreement } from './answer-type';

describe('answer types', () => {
  const asked = (q: string) => [...questionType(q).types].sort();

  it('reads what a question asks for from its question word', () => {
    expect(asked('who is the chief executive of acme')).toEqual(['org', 'person']);
    expect(asked('where was maria lopez born')).toEqual(['org', 'place']);
    expect(asked('when did the company shut down')).toEqual(['time']);
    expect(asked('how many people does it employ')).toEqual(['quantity']);
    expect(asked('is she married')).toEqual([]);
  });

  it('reads the noun after which/what, the last of a noun phrase, and terse questions', () => {
    expect(questionType('which city was it founded in')).toMatchObject({ head: 'city' });
    expect(asked('which city was it founded in')).toEqual(['place']);
    expect(asked('what year was it published')).toEqual(['time']);
    expect(questionType('which sister city does it have').head).toBe('city');
    expect(questionType('which company owns it').head).toBe('company'); // "owns" is the verb
    expect(questionType('record label', true).head).toBe('label');
    expect(asked('what is the name of')).toEqual([]);
    expect([...questionType('designed by', true).types].sort()).toEqual(['org', 'person']);
    expect(questionType('designed by', false).types.size).toBe(0); // a cloze, not a question
  });

  it('knows when the answer is a class rather than a name: "what kind of …?", or a cloze ending in an article', () => {
    expect(questionType('what kind of work does she do').asksKind).toBe(true);
    expect(questionType('which types of engine does it use').asksKind).toBe(true);
    expect(questionType('is employed as a', false).asksKind).toBe(true);
    expect(questionType('is an', false).asksKind).toBe(true);
    expect(questionType('who does she work for').asksKind).toBeUndefined();
    expect(questionType('what is the kind of thing', true).asksKind).toBeUndefined(); // no "what kind of"
    expect(questionType('is she a', true).asksKind).toBeUndefined(); // a question, not a cloze
  });

  it('types objects by their form, WordNet and their names', () => {
    const types = (o: string, definite = false) => [...objectTypes(o, definite)].sort();
    expect(types('1958')).toEqual(['time']);
    expect(types('14 July 1961')).toEqual(['time']);
    expect(types('$4.5 billion')).toEqual(['quantity']);
    expect(types('3,400,000')).toEqual(['quantity']);
    expect(types('Winnipeg')).toEqual(['place']);
    expect(types('Lake Geneva')).toEqual(['place']);
    expect(types('Quayside Press')).toEqual(['org']);
    expect(types('Samuel Walsh')).toEqual(['person']);
    expect(types('Adam Smith')).toEqual(['person']); // a surname that is also a common word
    expect(types('Whitcombe Medal')).toEqual([]); // ends in a common noun
    expect(types('Tokyo Exchange', true)).toEqual([]); // "listed on the Tokyo Exchange"
    expect(types('Portuguese')).toEqual([]); // a language, not a native of Portugal
    expect(types('The Silent Harbor')).toEqual([]);
  });

  it('agrees, clashes or says nothing', () => {
    expect(typeAgreement(questionType('when was it founded').types, objectTypes('1990'))).toBe(1);
    expect(typeAgreement(questionType('when was it founded').types, objectTypes('Maria Lopez'))).toBe(-1);
    expect(typeAgreement(questionType('which city was it founded in').types, objectTypes('1990'))).toBe(-1);
    expect(typeAgreement(questionType('is it big').types, objectTypes('1990'))).toBe(0);
  });

  it('matches a "which N" question to an object WordNet puts under N, or that N names', () => {
    expect(headMatches('country', 'Belgium', [])).toBe(true);
    expect(headMatches('city', 'Winnipeg', [])).toBe(true);
    expect(headMatches('saga', 'Skyward Saga', [])).toBe(true);
    expect(headMatches('city', 'worked', ['worked', 'city'])).toBe(true);
    expect(headMatches('city', 'Belgium', [])).toBe(false);
  });
});

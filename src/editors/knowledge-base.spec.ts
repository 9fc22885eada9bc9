import { describeEntity, entityKnowledgeBase, isEntityType, type EntityType, type KnownEntity } from './knowledge-base';

const entity = (type: EntityType, name: string, aliases: string[] = []): KnownEntity => ({ type, name, aliases });

describe('entityKnowledgeBase', () => {
  const kb = entityKnowledgeBase([
    entity('person', 'Ana Vell', ['Dr. Vell']),
    entity('city', 'Vell'),
    entity('university', 'Vell Institute of Art'),
    entity('work', 'Oak'),
    entity('city', 'Elm'),
  ]);

  it('describes the longest entity the question names, by name and type', () => {
    expect(kb.describeQuestionEntity('Where was Ana Vell born?')).toBe('Ana Vell, a person');
    expect(kb.describeQuestionEntity('Who founded Vell Institute of Art?')).toBe('Vell Institute of Art, a university');
    expect(kb.describeQuestionEntity('Which country is Vell in?')).toBe('Vell, a city');
    expect(kb.describeQuestionEntity('Who wrote Oak?')).toBe('Oak, a written work');
  });

  it('reads an alias as its entity and gives the canonical name', () => {
    expect(kb.describeQuestionEntity('Where does Dr. Vell work?')).toBe('Ana Vell, a person');
  });

  it('gives the other names of an entity called by its name or an alias, and none for a name two entities share', () => {
    expect(kb.aliasesOf('Ana Vell')).toEqual(['Dr. Vell']);
    expect(kb.aliasesOf('dr. vell')).toEqual(['Ana Vell']);
    expect(kb.aliasesOf('Elm')).toEqual([]);
    expect(kb.aliasesOf('Nobody')).toEqual([]);
    const shared = entityKnowledgeBase([entity('person', 'Bo Lin', ['Dr. Lin']), entity('person', 'Al Lin', ['Dr. Lin'])]);
    expect(shared.aliasesOf('Dr. Lin')).toEqual([]);
    expect(shared.aliasesOf('Bo Lin')).toEqual(['Dr. Lin']);
  });

  it('matches whole words only, and names nothing when no entity is mentioned', () => {
    expect(kb.describeQuestionEntity('Who owns Oakland Vellum?')).toBeUndefined();
    expect(kb.describeQuestionEntity('What is the capital of France?')).toBeUndefined();
  });

  it('takes the earliest of two equally long mentions', () => {
    expect(kb.describeQuestionEntity('Is Oak set in Elm?')).toBe('Oak, a written work');
    expect(kb.describeQuestionEntity('Is Elm the setting of Oak?')).toBe('Elm, a city');
  });

  it('knows the entity types by name and describes each with its article', () => {
    expect(isEntityType('work')).toBe(true);
    expect(isEntityType('tree')).toBe(false);
    expect(isEntityType('toString')).toBe(false);
    expect(describeEntity('Ada', 'occupation')).toBe('Ada, an occupation');
  });
});

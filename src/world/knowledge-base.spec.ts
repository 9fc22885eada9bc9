import { worldKnowledgeBase } from './knowledge-base';
import type { Entity, World } from './types';

const entity = (id: string, type: Entity['type'], name: string, aliases: string[] = []): Entity => ({ id, type, name, aliases });

describe('worldKnowledgeBase', () => {
  const world = {
    entities: [
      entity('p1', 'person', 'Ana Vell', ['Dr. Vell']),
      entity('c1', 'city', 'Vell'),
      entity('u1', 'university', 'Vell Institute of Art'),
      entity('w1', 'work', 'Oak'),
      entity('c2', 'city', 'Elm'),
    ],
  } as unknown as World;
  const kb = worldKnowledgeBase(world);

  it('describes the longest entity the question names, by name and type', () => {
    expect(kb.describeQuestionEntity('Where was Ana Vell born?')).toBe('Ana Vell, a person');
    expect(kb.describeQuestionEntity('Who founded Vell Institute of Art?')).toBe('Vell Institute of Art, a university');
    expect(kb.describeQuestionEntity('Which country is Vell in?')).toBe('Vell, a city');
    expect(kb.describeQuestionEntity('Who wrote Oak?')).toBe('Oak, a written work');
  });

  it('reads an alias as its entity and gives the canonical name', () => {
    expect(kb.describeQuestionEntity('Where does Dr. Vell work?')).toBe('Ana Vell, a person');
  });

  it('matches whole words only, and names nothing when no entity is mentioned', () => {
    expect(kb.describeQuestionEntity('Who owns Oakland Vellum?')).toBeUndefined();
    expect(kb.describeQuestionEntity('What is the capital of France?')).toBeUndefined();
  });

  it('takes the earliest of two equally long mentions', () => {
    expect(kb.describeQuestionEntity('Is Oak set in Elm?')).toBe('Oak, a written work');
    expect(kb.describeQuestionEntity('Is Elm the setting of Oak?')).toBe('Elm, a city');
  });
});

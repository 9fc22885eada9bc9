import { keyOf } from './scope-detector';
import { subjectMentioned } from './scope-features';

describe('subjectMentioned', () => {
  const motto = keyOf('The motto of Malaysia is "Work and Honour".');
  const secretary = keyOf('Clara Ishikawa serves as Secretary of State.');

  it('finds the subject of a statement without one in any case', () => {
    expect(subjectMentioned(motto, 'What is the motto of Malaysia?')).toBe(true);
    expect(subjectMentioned(motto, 'what is the motto of malaysia')).toBe(true);
    expect(subjectMentioned(secretary, 'What does Clara Ishikawa do?')).toBe(true);
  });

  it('takes a capitalised common word of such a statement for a name only where the query capitalises it too', () => {
    expect(subjectMentioned(motto, "Could you name Felix Nwosu's signature work?")).toBe(false);
    expect(subjectMentioned(motto, 'Which honour did Karin Park win?')).toBe(false);
    expect(subjectMentioned(secretary, 'Costa Rica — head of state?')).toBe(false);
    expect(subjectMentioned(motto, 'Whose motto is Work and Honour?')).toBe(true);
    expect(subjectMentioned(secretary, 'Who is the Secretary of State?')).toBe(true);
    // A query with no capitals at all says nothing about names.
    expect(subjectMentioned(secretary, 'who is secretary of state')).toBe(true);
  });

  it('leaves a name that is no common word, and known subjects, to match in any case', () => {
    expect(subjectMentioned(keyOf('Kano is home to Pendle Comets.'), 'Which club plays in kano, Ana?')).toBe(true);
    expect(subjectMentioned(keyOf('The CEO of Apple is Jane Doe.', ['apple']), 'Who runs apple, Tim?')).toBe(true);
    expect(subjectMentioned(keyOf('Locals call Nagoya the Garden City.'), 'What do locals call Perth?')).toBe(false);
  });
});

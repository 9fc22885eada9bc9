import { MIN_EXPECTED_SHARED, StatedTemplates, templateOf } from './stated-templates';

const PEOPLE = ['Ann Lee', 'Bo Park', 'Cy Dorn', 'Di Vance', 'Ed Moss', 'Flo Hart', 'Gus Tam', 'Hal Roy', 'Ida Fenn', 'Jo Kerr'];

/** Ten edits per wording, objects from pools of two: each template's objects repeat. */
function memory(): StatedTemplates {
  const templates = new StatedTemplates();
  PEOPLE.forEach((p, i) => templates.add(`occ${i}`, `${p} works as a ${i % 2 ? 'nurse' : 'pilot'}`, [p], i % 2 ? 'nurse' : 'pilot'));
  PEOPLE.forEach((p, i) => templates.add(`emp${i}`, `${p} works for ${i % 2 ? 'Acme Corp' : 'Globex'}.`, [p], i % 2 ? 'Acme Corp' : 'Globex'));
  PEOPLE.forEach((p, i) => templates.add(`boss${i}`, `The employer of ${p} is ${i % 3 ? 'Acme Corp' : 'Globex'}`, [p], i % 3 ? 'Acme Corp' : 'Globex'));
  return templates;
}

describe('StatedTemplates', () => {
  it('reads a template with the subject slotted and the object cut off', () => {
    const templates = memory();
    expect(templates.templateOfEdit('occ0')).toBe('{s} works as a');
    expect(templates.templateOfEdit('emp1')).toBe('{s} works for');
    expect(templates.templateOfEdit('boss2')).toBe('the employer of {s} is');
    expect(templateOf('where was ann lee born', ['Bo Park', 'Ann Lee'])).toBe('where was {s} born');
    expect(templateOf('where was ann leeds born', ['Ann Lee'])).toBeUndefined();
  });

  it('tells relations apart by the objects stated in their wordings', () => {
    const templates = memory();
    expect(templates.sameRelation('{s} works as a', '{s} works for')).toBe(false);
    expect(templates.sameRelation('{s} works for', 'the employer of {s} is')).toBe(true);
    expect(templates.sameRelation('{s} works as a', 'the employer of {s} is')).toBe(false);
  });

  it('vetoes an edit for a request worded in another relation’s template, not in its own or a paraphrase’s', () => {
    const templates = memory();
    expect(templates.contradicts('Ann Lee works as a', 'emp0')).toBe(true);
    expect(templates.contradicts('The employer of Ann Lee is', 'occ0')).toBe(true);
    expect(templates.contradicts('Ann Lee works for', 'emp0')).toBe(false);
    expect(templates.contradicts('The employer of Ann Lee is', 'emp0')).toBe(false);
    // Wordings no edit used, and requests not naming the edit's subject, are left to the classifier.
    expect(templates.contradicts('What does Ann Lee do for a living?', 'emp0')).toBe(false);
    expect(templates.contradicts('Bo Park works as a', 'emp0')).toBe(false);
  });

  it('knows a request that asks the fact an edit changed: its own wording or a same-relation one', () => {
    const templates = memory();
    expect(templates.asks('Ann Lee works for', 'emp0')).toBe(true);
    expect(templates.asks('The employer of Ann Lee is', 'emp0')).toBe(true);
    expect(templates.asks('Ann Lee works as a', 'emp0')).toBe(false);
    expect(templates.asks('Who employs Ann Lee?', 'emp0')).toBe(false);
    expect(templates.asks('Bo Park works for', 'emp0')).toBe(false);
    expect(templates.asks('Ann Lee works for', 'unknown')).toBe(false);
  });

  it('lets a wording whose objects repeat test one whose objects do not, and two of the latter test nothing', () => {
    const templates = memory();
    const works = ['Red Door', 'Blue Hill', 'Old Sea', 'Dark Sky', 'Iron Gate', 'Cold Moon', 'Tall Tree', 'Wide Road', 'Lost Ring', 'Grey Wolf'];
    works.forEach((w, i) => templates.add(`by${i}`, `${w} was written by Author ${i}`, [w], `Author ${i}`));
    works.forEach((w, i) => templates.add(`author${i}`, `The author of ${w} is Writer ${i}`, [w], `Writer ${i}`));
    // Authors' names never repeat: neither author wording can show the other is another relation.
    expect(templates.sameRelation('{s} was written by', 'the author of {s} is')).toBeUndefined();
    expect(templates.contradicts('The author of Red Door is', 'by0')).toBe(false);
    // Occupations repeat, and none of ten authors is one: they are another relation.
    expect(templates.sameRelation('{s} works as a', '{s} was written by')).toBe(false);
    templates.add('occ-red', 'Red Door works as a nurse', ['Red Door'], 'nurse');
    expect(templates.contradicts('Red Door was written by', 'occ-red')).toBe(true);
  });

  it('needs enough edits to expect shared objects before it vetoes, and forgets removed edits', () => {
    const templates = memory();
    // Seven edits per wording: each would share an object with the other's only 7 < 8 times, were they one relation.
    for (let i = MIN_EXPECTED_SHARED - 1; i < PEOPLE.length; i++) templates.remove(`occ${i}`);
    expect(templates.sameRelation('{s} works as a', '{s} works for')).toBe(false); // ten employer edits still test
    for (let i = MIN_EXPECTED_SHARED - 1; i < PEOPLE.length; i++) templates.remove(`emp${i}`);
    expect(templates.sameRelation('{s} works as a', '{s} works for')).toBeUndefined();
    expect(templates.contradicts('Ann Lee works as a', 'emp0')).toBe(false);
    templates.add('occ7', 'Hal Roy works as a nurse', ['Hal Roy'], 'nurse');
    expect(templates.contradicts('Ann Lee works as a', 'emp0')).toBe(true);
  });

  it('keeps edits out of the evidence when their object is unknown or does not end the statement', () => {
    const templates = new StatedTemplates();
    templates.add('a', 'Ann Lee works for Acme', ['Ann Lee'], undefined);
    templates.add('b', 'Acme hired Ann Lee', ['Ann Lee'], 'Acme');
    templates.add('c', 'Acme hired Ann Lee', ['Bo Park'], 'Ann Lee');
    expect(templates.templateOfEdit('a')).toBeUndefined();
    expect(templates.templateOfEdit('b')).toBeUndefined();
    expect(templates.templateOfEdit('c')).toBeUndefined();
    expect(templates.contradicts('Ann Lee works as a', 'a')).toBe(false);
  });
});

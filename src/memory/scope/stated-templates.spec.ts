import { StatedTemplates, templateOf } from './stated-templates';

/** Six edits per wording, objects from a pool of two: three collision pairs per template. */
function memory(): StatedTemplates {
  const templates = new StatedTemplates();
  const people = ['Ann Lee', 'Bo Park', 'Cy Dorn', 'Di Vance', 'Ed Moss', 'Flo Hart'];
  people.forEach((p, i) => templates.add(`occ${i}`, `${p} works as a ${i % 2 ? 'nurse' : 'pilot'}`, [p], i % 2 ? 'nurse' : 'pilot'));
  people.forEach((p, i) => templates.add(`emp${i}`, `${p} works for ${i % 2 ? 'Acme Corp' : 'Globex'}.`, [p], i % 2 ? 'Acme Corp' : 'Globex'));
  people.forEach((p, i) => templates.add(`boss${i}`, `The employer of ${p} is ${i % 3 ? 'Acme Corp' : 'Globex'}`, [p], i % 3 ? 'Acme Corp' : 'Globex'));
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

  it('needs repeated objects on both sides before it vetoes', () => {
    const templates = memory();
    // Authors rarely repeat: a wording whose objects never collide carries no evidence.
    ['Red Door', 'Blue Hill', 'Old Sea', 'Dark Sky'].forEach((w, i) => templates.add(`auth${i}`, `${w} was written by Author ${i}`, [w], `Author ${i}`));
    templates.add('occ-red', 'Red Door works as a nurse', ['Red Door'], 'nurse');
    expect(templates.sameRelation('{s} was written by', '{s} works as a')).toBeUndefined();
    expect(templates.contradicts('Red Door was written by', 'occ-red')).toBe(false);
    // Removing edits takes their evidence away: two pilots and two nurses left are two pairs.
    for (const id of ['occ0', 'occ1', 'occ-red']) templates.remove(id);
    expect(templates.contradicts('Ann Lee works as a', 'emp0')).toBe(false);
    templates.add('occ0', 'Ann Lee works as a pilot', ['Ann Lee'], 'pilot');
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

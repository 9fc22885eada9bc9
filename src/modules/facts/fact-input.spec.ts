import { parseFactsBody } from './fact-input';

describe('fact input: subject_aliases', () => {
  const fact = { subject: 'Ann Lee', prompt: 'Ann Lee works for', target_new: 'Acme' };

  it('takes a list of other names for the subject', () => {
    expect(parseFactsBody({ facts: [{ ...fact, subject_aliases: ['Dr. Lee', 'A. Lee'] }] })).toEqual({ facts: [{ ...fact, subject_aliases: ['Dr. Lee', 'A. Lee'] }] });
  });

  it('names the field of a bad alias list', () => {
    const errors = (body: unknown) => ('errors' in parseFactsBody(body) ? (parseFactsBody(body) as { errors: Array<{ path: string; message: string }> }).errors : []);
    expect(errors({ facts: [{ ...fact, subject_aliases: 'Dr. Lee' }] })[0].path).toBe('facts[0].subject_aliases');
    expect(errors({ facts: [{ ...fact, subject_aliases: ['Dr. Lee', ''] }] })[0]).toMatchObject({ path: 'facts[0].subject_aliases[1]', message: expect.stringContaining('must not be empty') });
    expect(errors({ facts: [{ ...fact, subject_aliases: Array.from({ length: 33 }, (_, i) => `Alias ${i}`) }] })[0]).toMatchObject({ path: 'facts[0].subject_aliases', message: expect.stringContaining('at most 32 aliases') });
    expect(errors({ facts: [{ ...fact, subject_aliases: ['x'.repeat(501)] }] })[0].path).toBe('facts[0].subject_aliases[0]');
  });
});

describe('fact input: every problem of a fact in one answer', () => {
  it('names a subject missing from the prompt beside the fact\'s other problems', () => {
    const parsed = parseFactsBody({ facts: [{ subject: 'Nobody', prompt: 'Ann Lee works for', target_new: '', key: 5 }] });
    expect('errors' in parsed && parsed.errors.map((e) => e.path).sort()).toEqual(['facts[0].key', 'facts[0].subject', 'facts[0].target_new']);
  });

  it('answers a record that is not an object (null, a list, a number) with an error, never a throw', () => {
    for (const record of [null, [], 7, 'fact']) {
      const parsed = parseFactsBody({ facts: [record] });
      expect('errors' in parsed && parsed.errors.map((e) => e.path)).toEqual(['facts[0]']);
    }
  });

  it('does not check the subject against a prompt that is not text', () => {
    const parsed = parseFactsBody({ facts: [{ subject: 'Ann Lee', prompt: 7, target_new: 'Acme' }] });
    expect('errors' in parsed && parsed.errors.map((e) => e.path)).toEqual(['facts[0].prompt']);
  });
});

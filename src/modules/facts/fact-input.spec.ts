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

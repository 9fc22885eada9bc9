import { redactReport, redactText, targetDigest, type ErasureReport } from './erasure-report';
import { subjectDigest } from '../../memory/scope/subject-digest';

describe('erasure reports as stored', () => {
  it('replace every mention of the subject, in any case and punctuation, and only whole mentions', () => {
    expect(redactText('Q: Where does Lena Vasquez-Ortiz live? A:', 'Lena Vasquez-Ortiz')).toBe('Q: Where does [subject] live? A:');
    expect(redactText("LENA vasquez ortiz's phone; lena  Vasquez-Ortiz.", 'Lena Vasquez-Ortiz')).toBe("[subject]'s phone; [subject].");
    expect(redactText('Lena Vasquez-Ortizova and Helena Vasquez-Ortiz', 'Lena Vasquez-Ortiz')).toBe('Lena Vasquez-Ortizova and Helena Vasquez-Ortiz');
    expect(redactText('Zoë Ångström lives in Lund', 'zoë ångström')).toBe('[subject] lives in Lund');
  });

  it('keep the subject as its digest and only whether the base model answered, never what it said', () => {
    const report: ErasureReport = {
      subject: 'Lena Vasquez',
      erasedEdits: ['e1'],
      erasedFacts: ['f1'],
      baseModel: [
        { prompt: 'Q: What is the phone number of Lena Vasquez? A:', text: ' 555-0142' },
        { prompt: 'Lena Vasquez lives in', text: " I don't know." },
      ],
      suppressionEdit: 's1',
      reinforcementEdits: [],
      purge: { lance: true, vacuum: true, wal: true },
      verification: [{ prompt: 'Lena Vasquez lives in', text: " I don't know. Lena Vasquez", edits: ['s1'], passed: true }],
    };
    const stored = redactReport(report);
    expect(stored.subject).toBe(subjectDigest('Lena Vasquez'));
    expect(stored.baseModel).toEqual([
      { prompt: 'Q: What is the phone number of [subject]? A:', answered: true },
      { prompt: '[subject] lives in', answered: false },
    ]);
    expect(stored.verification).toEqual([{ prompt: '[subject] lives in', text: " I don't know. [subject]", edits: ['s1'], passed: true }]);
    expect(JSON.stringify(stored)).not.toMatch(/vasquez|555/i);
    expect([stored.erasedEdits, stored.erasedFacts, stored.suppressionEdit, stored.purge]).toEqual([['e1'], ['f1'], 's1', { lance: true, vacuum: true, wal: true }]);
  });

  it('digest a target with no words too', () => {
    expect(targetDigest('Lena Vasquez')).toBe(subjectDigest('lena vasquez'));
    expect(targetDigest('!!!')).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});

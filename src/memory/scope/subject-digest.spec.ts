import { digestWords, isSubjectDigest, mentionOf, subjectDigest } from './subject-digest';

describe('subject digests', () => {
  it('stand for the normalised mention, carry its word count and never its text', () => {
    const digest = subjectDigest('Kenji Okafor');
    expect(digest).toMatch(/^subject-sha256:2:[0-9a-f]{64}$/);
    expect(digest.toLowerCase()).not.toContain('okafor');
    expect(subjectDigest('  kenji   OKAFOR ')).toBe(digest);
    expect(subjectDigest('Kenji Okafor-Ruiz')).not.toBe(digest);
    expect(digestWords(subjectDigest('Ana María de la Cruz'))).toBe(5);
    expect(isSubjectDigest(digest)).toBe(true);
    expect(isSubjectDigest('Kenji Okafor')).toBe(false);
    expect(() => subjectDigest(' ?! ')).toThrow(/empty subject/);
  });

  it('find the span a digest stands for as the text writes it, on word boundaries only', () => {
    const digests = [subjectDigest('Kenji Okafor'), subjectDigest('Ana María de la Cruz')];
    expect(mentionOf('What is the phone number of KENJI okafor?', digests)).toBe('KENJI okafor');
    expect(mentionOf("Kenji, Okafor's sister", digests)).toBe('Kenji, Okafor');
    expect(mentionOf('Where does Ana María de la Cruz live?', digests)).toBe('Ana María de la Cruz');
    expect(mentionOf('Where was Kenji Okaforo born?', digests)).toBeUndefined();
    expect(mentionOf('Kenji Tanaka met Maria Okafor', digests)).toBeUndefined();
    expect(mentionOf('Kenji Okafor', ['Kenji Okafor'])).toBeUndefined(); // clear-text subjects are not digests
  });
});

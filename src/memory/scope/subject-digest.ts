import { createHash } from 'node:crypto';
import { normaliseMention } from './scope-features';

/**
 * Subjects that must not be stored in clear (an erasure's suppression edit): a digest of the
 * normalised mention, with its word count so that a request's n-grams of that length are the
 * only ones hashed. `subject-sha256:<words>:<hex>`.
 */
const PREFIX = 'subject-sha256:';

export function subjectDigest(subject: string): string {
  const normalised = normaliseMention(subject);
  if (!normalised) throw new Error('an empty subject has no digest');
  return digestOfNormalised(normalised, normalised.split(' ').length);
}

export function isSubjectDigest(subject: string): boolean {
  return subject.startsWith(PREFIX);
}

/** The number of words of the subject a digest stands for. */
export function digestWords(digest: string): number {
  return Number(digest.slice(PREFIX.length, digest.indexOf(':', PREFIX.length)));
}

/** The digest of an already normalised n-gram (the subject index's lookup key). */
export function digestOfNormalised(normalised: string, words: number): string {
  return `${PREFIX}${words}:${hashMention(normalised)}`;
}

function hashMention(normalised: string): string {
  // Domain-separated, so a digest here never equals a hashed fact key of the same text.
  return createHash('sha256').update(`ked:subject:${normalised}`).digest('hex');
}

/**
 * The text's first span that one of the digests stands for, as written in the text (its case
 * and punctuation kept); undefined when none. The words are the runs of letters and digits, the
 * same as normaliseMention's.
 */
export function mentionOf(text: string, digests: readonly string[]): string | undefined {
  const wanted = new Set(digests.filter(isSubjectDigest));
  if (!wanted.size) return undefined;
  const lengths = [...new Set([...wanted].map(digestWords))];
  const words = [...text.matchAll(/[\p{L}\p{N}]+/gu)];
  for (let start = 0; start < words.length; start++) {
    for (const n of lengths) {
      if (start + n > words.length) continue;
      const span = words.slice(start, start + n);
      if (!wanted.has(digestOfNormalised(span.map((w) => w[0].toLowerCase()).join(' '), n))) continue;
      const last = span[n - 1];
      return text.slice(span[0].index, last.index + last[0].length);
    }
  }
  return undefined;
}

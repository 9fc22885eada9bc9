import { normaliseMention } from './scope-features';
import { digestOfNormalised, digestWords, isSubjectDigest } from './subject-digest';

/**
 * Exact subject mentions, in memory: normalised subject → edit ids. A request's candidates are
 * the edits whose subject is one of its word n-grams, found in O(words × longest subject)
 * lookups whatever the memory's size. Stage 2 requires the subject named in full anyway, so
 * this finds every candidate the decision could accept. Subjects stored only as digests
 * (erasures) are found by hashing the n-grams of their lengths.
 */
export class SubjectIndex {
  private readonly edits = new Map<string, Set<string>>();
  private longest = 1;
  /** Word count of digested subjects → how many of them are indexed. */
  private readonly digestLengths = new Map<number, number>();

  add(id: string, subjects: readonly string[]): void {
    for (const subject of subjects) {
      const key = lookupKey(subject);
      if (!key) continue;
      const ids = this.edits.get(key) ?? new Set<string>();
      if (ids.has(id)) continue;
      ids.add(id);
      this.edits.set(key, ids);
      if (isSubjectDigest(key)) this.digestLengths.set(digestWords(key), (this.digestLengths.get(digestWords(key)) ?? 0) + 1);
      else this.longest = Math.max(this.longest, key.split(' ').length);
    }
  }

  remove(id: string, subjects: readonly string[]): void {
    for (const subject of subjects) {
      const key = lookupKey(subject);
      const ids = this.edits.get(key);
      if (!ids?.delete(id)) continue;
      if (ids.size === 0) this.edits.delete(key);
      if (isSubjectDigest(key)) {
        const n = digestWords(key);
        const left = this.digestLengths.get(n)! - 1;
        if (left) this.digestLengths.set(n, left);
        else this.digestLengths.delete(n);
      }
    }
  }

  candidates(query: string): Set<string> {
    const words = normaliseMention(query).split(' ');
    const found = new Set<string>();
    const collect = (key: string) => {
      const ids = this.edits.get(key);
      if (ids) for (const id of ids) found.add(id);
    };
    for (let start = 0; start < words.length; start++) {
      for (let n = 1; n <= this.longest && start + n <= words.length; n++) collect(words.slice(start, start + n).join(' '));
      for (const n of this.digestLengths.keys()) if (start + n <= words.length) collect(digestOfNormalised(words.slice(start, start + n).join(' '), n));
    }
    return found;
  }
}

function lookupKey(subject: string): string {
  return isSubjectDigest(subject) ? subject : normaliseMention(subject);
}

import { normaliseMention } from './scope-features';

/**
 * Exact subject mentions, in memory: normalised subject → edit ids. A request's candidates are
 * the edits whose subject is one of its word n-grams, found in O(words × longest subject)
 * lookups whatever the memory's size. Stage 2 requires the subject named in full anyway, so
 * this finds every candidate the decision could accept.
 */
export class SubjectIndex {
  private readonly edits = new Map<string, Set<string>>();
  private longest = 1;

  add(id: string, subjects: readonly string[]): void {
    for (const subject of subjects) {
      const key = normaliseMention(subject);
      if (!key) continue;
      this.longest = Math.max(this.longest, key.split(' ').length);
      const ids = this.edits.get(key) ?? new Set<string>();
      ids.add(id);
      this.edits.set(key, ids);
    }
  }

  remove(id: string, subjects: readonly string[]): void {
    for (const subject of subjects) {
      const key = normaliseMention(subject);
      const ids = this.edits.get(key);
      ids?.delete(id);
      if (ids && ids.size === 0) this.edits.delete(key);
    }
  }

  candidates(query: string): Set<string> {
    const words = normaliseMention(query).split(' ');
    const found = new Set<string>();
    for (let start = 0; start < words.length; start++) {
      for (let n = 1; n <= this.longest && start + n <= words.length; n++) {
        const ids = this.edits.get(words.slice(start, start + n).join(' '));
        if (ids) for (const id of ids) found.add(id);
      }
    }
    return found;
  }
}

import type { FactRetriever, MemoryRecord } from '../../editors/edit-method';
import { cosineDistance } from '../../editors/keys/hidden-keys';
import { loadScopeClassifier } from './load-classifier';
import { retrievalVector } from './retrieval-vector';
import type { ScopeClassifier } from './scope-classifier';
import { keyOf } from './scope-detector';
import { pairFeatures, subjectMentioned, type ScopeKey } from './scope-features';
import { readScopeText } from './scope-text';

/**
 * The memory readers' retriever on the scope detector's parts: `nearest` by the cosine of its
 * stage-1 retrieval vectors (entity tokens, trigrams, stems: MeLLo's dense retriever here),
 * `inScope` by its stage 2 (the subject named in full, then the trained classifier).
 */
export function scopeRetriever(classifier: ScopeClassifier = loadScopeClassifier()): FactRetriever {
  const keys = new Map<string, { key: ScopeKey; vector: Float32Array }>();
  const read = (record: MemoryRecord) => {
    const id = `${record.subject}\u0000${record.text}`;
    let entry = keys.get(id);
    if (!entry) {
      const key = keyOf(record.text, [record.subject], record.object);
      entry = { key, vector: retrievalVector(key.text, key.subjects) };
      keys.set(id, entry);
    }
    return entry;
  };
  return {
    nearest: (query, records) => {
      const q = retrievalVector(readScopeText(query));
      let best = -1;
      let bestDistance = Infinity;
      records.forEach((record, i) => {
        const distance = cosineDistance(read(record).vector, q);
        if (distance < bestDistance) [best, bestDistance] = [i, distance];
      });
      return best;
    },
    inScope: (query, record) => {
      const { key } = read(record);
      return subjectMentioned(key, query) && classifier.score(pairFeatures(key, readScopeText(query))) >= classifier.thresholdFor(key.subjects.length > 0);
    },
    namesSubject: (query, record) => subjectMentioned(read(record).key, query),
  };
}

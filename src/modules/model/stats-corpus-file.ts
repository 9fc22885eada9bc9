import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { StatsCorpus } from '../../editors/edit-method';

/**
 * A key-statistics sample from KED_STATS_CORPUS: JSONL with "text" (one passage per line; a
 * passage may hold escaped newlines), or plain text lines. Lines are parsed on first use.
 */
export function statsCorpusFromFile(path: string): StatsCorpus {
  const content = readFileSync(path, 'utf8');
  let texts: string[] | undefined;
  const parse = (): string[] => {
    const lines = content.split('\n').filter((l) => l.trim());
    if (!path.endsWith('.jsonl')) return lines;
    return lines.map((l, i) => {
      const text = (JSON.parse(l) as { text?: unknown }).text;
      if (typeof text !== 'string') throw new Error(`${path}: line ${i + 1} has no "text" string`);
      return text;
    });
  };
  return { id: `file:${createHash('sha256').update(content).digest('hex').slice(0, 12)}`, texts: () => (texts ??= parse()) };
}

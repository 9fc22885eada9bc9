import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { StatsCorpus } from '../../editors/edit-method';
import type { World } from '../../world/types';
import { worldStatsCorpus } from '../../world/world-stats-corpus';

/** A key-statistics sample from a file: a ked world.json (its corpus), JSONL with "text", or plain text lines. */
export function statsCorpusFromFile(path: string): StatsCorpus {
  const content = readFileSync(path, 'utf8');
  if (basename(path) === 'world.json') return worldStatsCorpus(JSON.parse(content) as World);
  const lines = content.split('\n').filter((l) => l.trim());
  const texts = path.endsWith('.jsonl') ? lines.map((l, i) => {
    const text = (JSON.parse(l) as { text?: unknown }).text;
    if (typeof text !== 'string') throw new Error(`${path}: line ${i + 1} has no "text" string`);
    return text;
  }) : lines;
  return { id: `file:${createHash('sha256').update(content).digest('hex').slice(0, 12)}`, texts: () => texts };
}

import { corpusToJsonl, type CorpusExample } from './corpus/build-corpus';
import { factProbes } from './probes';
import type { World } from './types';

/** How many of the world's facts the daemon's locality audit replays by default. */
export const AUDIT_PROBE_COUNT = 100;

/**
 * The plain files the daemon reads from a world, by file name (written beside world.json; the
 * daemon's defaults point at data/world's):
 * - `stats-corpus.jsonl` (KED_STATS_CORPUS): the training corpus, one {"text"} per line;
 * - `audit-probes.jsonl` (KED_AUDIT_PROBES): a seeded sample of the world's facts in their
 *   training templates, one {"prompt"} per line;
 * - `knowledge-base.json` (KED_KNOWLEDGE_BASE): {"entities": [{"name", "type", "aliases"}]}, one
 *   entity per line.
 */
export function servingFiles(world: World, corpus: readonly CorpusExample[]): Record<string, string> {
  return {
    'stats-corpus.jsonl': corpusToJsonl(corpus),
    'audit-probes.jsonl': factProbes(world, { max: AUDIT_PROBE_COUNT })
      .map((p) => `${JSON.stringify({ prompt: p.prompt })}\n`)
      .join(''),
    'knowledge-base.json': `{\n  "entities": [\n${world.entities.map((e) => `    ${JSON.stringify({ name: e.name, type: e.type, aliases: e.aliases })}`).join(',\n')}\n  ]\n}\n`,
  };
}

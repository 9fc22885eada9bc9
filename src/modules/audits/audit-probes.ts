import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { KedConfig } from '../../config/ked-config';
import { factProbes } from '../../world/probes';
import type { World } from '../../world/types';

/** The fixed set of unrelated prompts a locality audit replays. */
export interface AuditProbe {
  prompt: string;
}

const DEFAULT_COUNT = 100;

/**
 * KED_AUDIT_PROBES (JSONL with "prompt", or plain lines), else 100 facts of the fixture's world
 * (the statistics sample's world.json) in their training templates, sampled with the world's seed.
 */
export function loadAuditProbes(config: KedConfig): AuditProbe[] {
  if (config.audit.probes) {
    const lines = readFileSync(config.audit.probes, 'utf8').split('\n').filter((l) => l.trim());
    return lines.map((line, i) => {
      if (!config.audit.probes!.endsWith('.jsonl')) return { prompt: line };
      const prompt = (JSON.parse(line) as { prompt?: unknown }).prompt;
      if (typeof prompt !== 'string' || !prompt) throw new Error(`${config.audit.probes}: line ${i + 1} has no "prompt"`);
      return { prompt };
    });
  }
  if (config.statsCorpus && basename(config.statsCorpus) === 'world.json') {
    const world = JSON.parse(readFileSync(config.statsCorpus, 'utf8')) as World;
    return factProbes(world, { max: DEFAULT_COUNT }).map((p) => ({ prompt: p.prompt }));
  }
  return [];
}

import { readFileSync } from 'node:fs';
import type { KedConfig } from '../../config/ked-config';

/** The fixed set of unrelated prompts a locality audit replays. */
export interface AuditProbe {
  prompt: string;
}

/**
 * KED_AUDIT_PROBES: JSONL with "prompt" (other fields are ignored), or plain lines; none when it
 * is unset. By default it is the fixture world's audit-probes.jsonl (data/world).
 */
export function loadAuditProbes(config: KedConfig): AuditProbe[] {
  const path = config.audit.probes;
  if (!path) return [];
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.trim());
  return lines.map((line, i) => {
    if (!path.endsWith('.jsonl')) return { prompt: line };
    const prompt = (JSON.parse(line) as { prompt?: unknown }).prompt;
    if (typeof prompt !== 'string' || !prompt) throw new Error(`${path}: line ${i + 1} has no "prompt"`);
    return { prompt };
  });
}

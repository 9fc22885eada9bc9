/** The committed fixture model with the world's statistics sample, for editor tests. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EditContext } from '../../src/editors/edit-method';
import type { EditRequest } from '../../src/editors/edit-request';
import { loadCheckpoint } from '../../src/models/checkpoint/checkpoint';
import { LanguageModel } from '../../src/models/language-model';
import { loadTokenizer } from '../../src/models/tokenizer';
import { packageRoot } from '../../src/package-root';
import type { SessionManager } from '../../src/runtime/session/session-manager';
import type { World } from '../../src/world/types';
import { worldStatsCorpus } from '../../src/world/world-stats-corpus';

export const REPO_ROOT = packageRoot();

export async function fixtureContext(sessions: SessionManager): Promise<EditContext> {
  const dir = join(REPO_ROOT, 'models', 'fixture');
  const [checkpoint, tokenizer] = await Promise.all([loadCheckpoint(dir), loadTokenizer(dir)]);
  const world = JSON.parse(readFileSync(join(REPO_ROOT, 'data', 'world', 'world.json'), 'utf8')) as World;
  return { model: new LanguageModel(checkpoint.config, checkpoint.weights, sessions), tokenizer, statsCorpus: worldStatsCorpus(world) };
}

/** The first records of the committed counterfact test set as edit requests. */
export function counterfactRequests(n: number): EditRequest[] {
  const records = JSON.parse(readFileSync(join(REPO_ROOT, 'data', 'world', 'world-counterfact.test.json'), 'utf8')) as Array<EditRequest & { ground_truth: string }>;
  return records.slice(0, n).map((r) => ({ subject: r.subject, prompt: r.prompt, target_new: r.target_new, ground_truth: [r.ground_truth], rephrase_prompt: r.rephrase_prompt }));
}

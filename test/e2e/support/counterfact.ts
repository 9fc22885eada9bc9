import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The fields of a committed `world-counterfact` test record that e2e tests send as facts. */
export interface CounterfactRecord {
  subject: string;
  prompt: string;
  target_new: string;
  ground_truth?: string;
  rephrase_prompt?: string;
}

/** Records [from, to) of `data/world/world-counterfact.test.json` (each suite takes its own slice). */
export function counterfactRecords(from: number, to: number): CounterfactRecord[] {
  const all = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'data', 'world', 'world-counterfact.test.json'), 'utf8')) as CounterfactRecord[];
  return all.slice(from, to);
}

/** A record as the compact fact `POST /v1/facts` takes. */
export const asFact = (r: CounterfactRecord) => ({ subject: r.subject, prompt: r.prompt, target_new: r.target_new });

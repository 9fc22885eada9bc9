import type { Demonstration } from '../editors/demonstration';
import type { EvalDataset } from './dataset/eval-case';

/**
 * IKE's demonstration store from a train split: for every record, its own prompt (copy) and
 * its rephrase (update) answered with the new target, and its first locality probe (retain)
 * answered with the unchanged answer.
 */
export function demonstrationsFrom(train: EvalDataset): Demonstration[] {
  const out: Demonstration[] = [];
  for (const c of train.cases) {
    const request = c.requests[0];
    if (!request) continue;
    const fact = { factPrompt: request.prompt, factTarget: request.target_new };
    out.push({ kind: 'copy', ...fact, query: request.prompt, answer: request.target_new });
    const rephrase = c.generalization[0];
    if (rephrase) out.push({ kind: 'update', ...fact, query: rephrase.prompt, answer: request.target_new });
    const retain = Object.values(c.locality).flat()[0];
    if (retain?.answers[0]) out.push({ kind: 'retain', ...fact, query: retain.prompt, answer: retain.answers[0] });
  }
  return out;
}

/** The train split that sits beside a test file: x.test.json → x.train.json. */
export function trainSplitPath(testPath: string): string | undefined {
  return /\.test\.json$/.test(testPath) ? testPath.replace(/\.test\.json$/, '.train.json') : undefined;
}

import type { EditOperation } from '../../editors/edit-operation';
import type { EditRequest } from '../../editors/edit-request';
import { combineDeltas } from '../../eval/applied-edits';
import { tokenizeProbe } from '../../eval/teacher-forcing';
import type { LanguageModel } from '../../models/language-model';
import type { KedTokenizer } from '../../models/tokenizer';

export interface Verification {
  method: string;
  /** Token accuracy of the target after the fact's own prompt, with the edit routed in. */
  prompt: number;
  /** The same after the fact's paraphrase, when it came with one (reported, not required). */
  paraphrase: number | null;
  passed: boolean;
}

/** Runs the fact's prompt (and paraphrase) through the model with the operations applied as they will be routed. */
export async function verifyEdit(model: LanguageModel, tokenizer: KedTokenizer, request: EditRequest, operations: readonly EditOperation[], method: string): Promise<Verification> {
  const contexts = operations.flatMap((o) => (o.kind === 'context' ? [o.text] : []));
  const deltas = operations.flatMap((o) => (o.kind === 'delta' ? [o] : []));
  const prompts = [request.prompt, ...(request.rephrase_prompt ? [request.rephrase_prompt] : [])];
  const pairs = prompts.map((p) => {
    const bare = tokenizeProbe(tokenizer, { prompt: p, target: request.target_new });
    return contexts.length ? { prompt: tokenizer.encode([...contexts, p].join(' ')), target: bare.target } : bare;
  });
  const scores = await model.scoreTargets(pairs, deltas.length ? pairs.map(() => combineDeltas(deltas)) : undefined);
  return { method, prompt: scores[0].accuracy, paraphrase: scores[1]?.accuracy ?? null, passed: scores[0].accuracy === 1 };
}

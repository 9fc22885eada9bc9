import type { MemoryReader } from '../../editors/edit-method';
import type { EditOperation } from '../../editors/edit-operation';
import type { EditRequest } from '../../editors/edit-request';
import { combineDeltas, viewOf } from '../../eval/applied-edits';
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

/**
 * Runs the fact's prompt (and paraphrase) through the model with the operations applied as they
 * will be routed; memory records (MeLLo, PokeMQA) through the method's `reader`.
 */
export async function verifyEdit(model: LanguageModel, tokenizer: KedTokenizer, request: EditRequest, operations: readonly EditOperation[], method: string, reader?: MemoryReader): Promise<Verification> {
  const view = viewOf(operations);
  const { contexts } = view;
  const memory = view.memory ?? [];
  // A keyed block (MELO) is verified on its own edit's prompt, which its key selects.
  const deltas = [...view.deltas, ...(view.keyed ?? [])];
  if (memory.length && !reader) throw new Error(`${method}: memory records need the method's reader to verify`);
  const asked = [request.prompt, ...(request.rephrase_prompt ? [request.rephrase_prompt] : [])];
  const prompts = memory.length ? await reader!.prepare(asked.map((prompt) => ({ prompt, memory }))) : asked;
  const pairs = prompts.map((p) => {
    const bare = tokenizeProbe(tokenizer, { prompt: p, target: request.target_new });
    return contexts.length ? { prompt: tokenizer.encode([...contexts, p].join(' ')), target: bare.target } : bare;
  });
  const scores = await model.scoreTargets(pairs, deltas.length ? pairs.map(() => combineDeltas(deltas)) : undefined);
  return { method, prompt: scores[0].accuracy, paraphrase: scores[1]?.accuracy ?? null, passed: scores[0].accuracy === 1 };
}

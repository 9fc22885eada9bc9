import type { MemoryReader } from '../../editors/edit-method';
import type { EditOperation, KeyedOperation } from '../../editors/edit-operation';
import type { EditRequest } from '../../editors/edit-request';
import { keySpecId, promptKeys } from '../../editors/keys/hidden-keys';
import { combineDeltas, keyedEffects, nearestKeyed, viewOf } from '../../memory/edit-effects';
import type { LanguageModel } from '../../models/language-model';
import type { KedTokenizer } from '../../models/tokenizer';
import { tokenizeProbe } from '../../models/tokenizer/tokenize-probe';

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
  if (memory.length && !reader) throw new Error(`${method}: memory records need the method's reader to verify`);
  const asked = [request.prompt, ...(request.rephrase_prompt ? [request.rephrase_prompt] : [])];
  const prompts = memory.length ? await reader!.prepare(asked.map((prompt) => ({ prompt, memory }))) : asked;
  const pairs = prompts.map((p) => {
    const bare = tokenizeProbe(tokenizer, { prompt: p, target: request.target_new });
    return contexts.length ? { prompt: tokenizer.encode([...contexts, p].join(' ')), target: bare.target } : bare;
  });
  // Keyed operations (MELO blocks, GRACE entries) apply where each prompt's own key selects them.
  const keyed = await Promise.all(asked.map((p) => selectKeyed(model, tokenizer, view.keyed ?? [], p)));
  const effects = keyed.map((selected) => keyedEffects(selected));
  const perPrompt = effects.map((e) => [...view.deltas, ...e.deltas]);
  const deltas = perPrompt.some((d) => d.length) ? perPrompt.map((d) => combineDeltas(d)) : undefined;
  const replacements = effects.some((e) => e.replacements.length) ? effects.map((e) => e.replacements) : undefined;
  // A reader with its own answering model (SERAC's counterfactual model) answers the prompts it made.
  const answerer = memory.length && reader?.answerer ? await reader.answerer() : undefined;
  const scores = answerer ? await answerer.scoreTargets(pairs) : await model.scoreTargets(pairs, deltas, replacements);
  return { method, prompt: scores[0].accuracy, paraphrase: scores[1]?.accuracy ?? null, passed: scores[0].accuracy === 1 };
}

/** The keyed operation the prompt's own hidden-state key selects (as in routing), if any. */
async function selectKeyed(model: LanguageModel, tokenizer: KedTokenizer, keyed: readonly KeyedOperation[], prompt: string): Promise<KeyedOperation[]> {
  if (!keyed.length) return [];
  const keys = new Map<string, Float32Array>();
  for (const op of keyed) {
    const id = keySpecId(op.key);
    if (!keys.has(id)) keys.set(id, (await promptKeys(model, tokenizer, [prompt], op.key))[0]);
  }
  const best = nearestKeyed(keyed, (op) => keys.get(keySpecId(op.key))!);
  return best ? [best] : [];
}

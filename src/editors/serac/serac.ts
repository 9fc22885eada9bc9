import { isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { packageRoot } from '../../package-root';
import { loadCheckpoint } from '../../models/checkpoint/checkpoint';
import type { LanguageModel } from '../../models/language-model';
import type { EditMethod, MemoryReader, ReaderContext } from '../edit-method';
import { factRecord } from '../mello/mello';
import { counterfactualInput } from './counterfactual-input';

export const seracHparams = z.strictObject({
  /**
   * The counterfactual model's checkpoint directory (`ked serac train` writes it; a relative path
   * is under ked's package root). It must share the base model's tokenizer.
   */
  counterfactualModel: z.string().min(1).default('models/serac'),
  /**
   * How the counterfactual model reads an edit and an input (the paper's "edit [SEP] input");
   * {edit} and {prompt} are filled in. The default is the fixture corpus's in-context format, which
   * the counterfactual model was initialised knowing and then trained on.
   */
  inputTemplate: z.string().includes('{edit}').includes('{prompt}').default('Imagine that {edit}. {prompt}'),
});
export type SeracHparams = z.infer<typeof seracHparams>;

/** Loaded counterfactual models, per base model (so they share its sessions) and directory. */
const loaded = new WeakMap<LanguageModel, Map<string, Promise<LanguageModel>>>();

/** The counterfactual model in `dir` on the base model's sessions, loaded once per process. */
export function counterfactualModel(base: LanguageModel, dir: string): Promise<LanguageModel> {
  const path = isAbsolute(dir) ? dir : join(packageRoot(), dir);
  const cache = loaded.get(base) ?? new Map<string, Promise<LanguageModel>>();
  loaded.set(base, cache);
  let model = cache.get(path);
  if (!model) {
    model = loadCheckpoint(path).then((c) => {
      if (c.config.vocabSize !== base.config.vocabSize) throw new Error(`serac: the counterfactual model in ${path} has a vocabulary of ${c.config.vocabSize}, the base model ${base.config.vocabSize} (it must share the base model's tokenizer)`);
      return base.sibling(c.weights, c.config);
    });
    model.catch(() => cache.delete(path));
    cache.set(path, model);
  }
  return model;
}

/**
 * SERAC's inference (Mitchell et al. 2022, §3): a request the scope classifier puts in scope of a
 * stored edit is answered by the counterfactual model given (edit, input); any other request by
 * the base model, untouched. The records are `scoped`: routing (the scope detector's decision, as
 * for any edit) has already chosen the ones a request is in scope of; of several, the one the
 * retriever ranks first is used, as SERAC takes the highest-scoring edit.
 */
export function seracReader(context: ReaderContext, hp: SeracHparams): MemoryReader {
  return {
    prepare: async (probes) =>
      probes.map((p) => {
        if (!p.memory.length) return p.prompt;
        const best = p.memory.length === 1 ? 0 : Math.max(0, context.retriever.nearest(p.prompt, p.memory));
        return counterfactualInput(hp.inputTemplate, p.memory[best].text, p.prompt);
      }),
    answerer: () => counterfactualModel(context.model, hp.counterfactualModel),
  };
}

/**
 * SERAC (Mitchell et al. 2022; survey §3.3.1, "memory-based"): edits are stored as records in
 * the edit memory and no weights change; a scope classifier (ked's scope detector) decides which
 * record a request falls under, and a separately trained counterfactual model answers it given
 * the edit. The counterfactual model is trained beforehand on a train split (`ked serac train`);
 * evaluation needs only its checkpoint, so the method does not ask for a train split itself.
 */
export const seracMethod: EditMethod<typeof seracHparams> = {
  name: 'serac',
  capabilities: { batchable: true, routable: true, committable: false, needsTrainSplit: false },
  hparams: seracHparams,
  compute: async (_context, requests) =>
    requests.map((r, i) => {
      const record = factRecord(r, i, 'serac');
      // The scope classifier (the detector's decision) routes it, as it routes any edit.
      return { ...record, memory: { ...record.memory, scoped: true } };
    }),
  reader: (context, hp) => seracReader(context, hp),
};

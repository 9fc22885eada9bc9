import { z } from 'zod';
import type { EditMethod } from '../edit-method';
import { factRecord, melloHparams, traceReader } from '../mello/mello';

export const pokeMqaHparams = melloHparams.extend({
  /**
   * PokeMQA's knowledge prompt: "Entity of Question: X, a …" after the question, from the
   * reader's knowledge base (nothing is added where there is none or the question names no known
   * entity). Only a model trained on traces with that line reads it well; the fixture is
   * (reports/hparam-choices.md).
   */
  knowledgePrompt: z.boolean().default(true),
});

/**
 * PokeMQA (Gu et al. 2024): MeLLo's decomposition with the decision taken out of the model: a
 * trained scope detector (ked's stage 2: subject named in full, then the (edit, question)
 * classifier) says which records are in scope of a subquestion. The nearest in-scope record
 * answers the hop (its object is the intermediate answer, the record the retrieved fact); a hop
 * with none in scope is answered by the model and shown a record about another subject, which
 * the trace format teaches it to ignore. With `knowledgePrompt`, the question's key entity is
 * described from a knowledge base before decomposing, as the paper does from Wikidata.
 */
export const pokeMqaMethod: EditMethod<typeof pokeMqaHparams> = {
  name: 'pokemqa',
  capabilities: { batchable: true, routable: true, committable: false, needsTrainSplit: false },
  hparams: pokeMqaHparams,
  compute: async (_context, requests) => requests.map((r, i) => factRecord(r, i, 'pokemqa')),
  reader: (context, hparams) => traceReader(context, hparams, 'in-scope', hparams.knowledgePrompt),
};

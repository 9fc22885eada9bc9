import { z } from 'zod';
import type { EditMethod, MemoryReader, ReaderContext } from '../edit-method';
import type { EditRequest } from '../edit-request';
import { decodeTraces, nearestRecord, questionOf, type TraceOptions } from './mello-decoder';

export const melloHparams = z.strictObject({
  /** Subquestions before the final answer is forced (MQuAKE's chains have 2 to 4 hops). */
  maxHops: z.number().int().min(1).max(8).default(4),
  /** Tokens one generated trace line may take. */
  lineTokens: z.number().int().min(4).max(64).default(24),
  /** Traces decoded together per forward pass. */
  batchSize: z.number().int().min(1).default(32),
  /** How a cloze prompt (no question to decompose) sees its nearest record; {fact} is filled in. */
  clozeTemplate: z.string().includes('{fact}').default('Imagine that {fact}.'),
});

export type MelloHparams = z.infer<typeof melloHparams>;

/** The edited fact as the sentence the memory stores ("The writer of X is Y"). */
export function factRecord(request: EditRequest, index: number, method: string) {
  const subject = request.subject ?? '';
  if (!subject) throw new Error(`${method}: request ${index} has no subject (the memory retrieves records by it)`);
  if (!request.target_new.trim()) throw new Error(`${method}: request ${index} has an empty target_new`);
  const prompt = request.prompt.trim();
  return { kind: 'context' as const, method, requests: [index], text: `${prompt} ${request.target_new.trim()}`, memory: { subject, object: request.target_new.trim() } };
}

/**
 * Reads a memory the way MeLLo does: a question is decomposed in the trace format, each
 * subquestion retrieving a record; a cloze prompt gets its nearest record stated before it.
 */
export function traceReader(context: ReaderContext, hparams: MelloHparams, retrieval: TraceOptions['retrieval'], knowledgePrompt = false): MemoryReader {
  return {
    prepare: async (probes) => {
      const out = probes.map((p) => p.prompt);
      const questions: Array<{ at: number; question: string; memory: (typeof probes)[number]['memory']; entity?: string }> = [];
      probes.forEach((p, at) => {
        const question = questionOf(p.prompt);
        if (question) questions.push({ at, question, memory: p.memory, entity: knowledgePrompt ? context.knowledge?.describeQuestionEntity(question) : undefined });
        else {
          const record = nearestRecord(context.retriever, p.prompt, p.memory, retrieval === 'in-scope' ? (r) => context.retriever.inScope(p.prompt, r) : undefined);
          if (record) out[at] = `${hparams.clozeTemplate.replace('{fact}', record.text)} ${p.prompt}`;
        }
      });
      const traces = await decodeTraces(context.model, context.tokenizer, context.retriever, questions, { ...hparams, retrieval });
      questions.forEach((q, i) => (out[q.at] = traces[i].prompt));
      return out;
    },
  };
}

/**
 * MeLLo (Zhong et al. 2023; survey §3.3.1): edits are sentences in a retrieval memory; the model
 * decomposes a multi-hop question into subquestions, each retrieves the nearest edited fact, and
 * the model itself checks whether the fact contradicts its own answer. No weights change.
 */
export const melloMethod: EditMethod<typeof melloHparams> = {
  name: 'mello',
  capabilities: { batchable: true, routable: true, committable: false, needsTrainSplit: false },
  // MQuAKE evaluates MeLLo with every edit in one memory.
  hparams: melloHparams,
  compute: async (_context, requests) => requests.map((r, i) => factRecord(r, i, 'mello')),
  reader: (context, hparams) => traceReader(context, hparams, 'nearest'),
};

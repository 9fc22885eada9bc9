import type { z } from 'zod';
import type { LanguageModel } from '../models/language-model';
import type { KedTokenizer } from '../models/tokenizer';
import type { EditRequest } from './edit-request';
import type { EditOperation } from './edit-operation';
import type { Demonstration } from './demonstration';

/** What a method can do, declared once (EasyEdit spreads this over name checks). */
export interface MethodCapabilities {
  /** One compute call may take many requests (MEMIT, AlphaEdit). */
  batchable: boolean;
  /** Its operations can be applied per request by a scope detector instead of to everything. */
  routable: boolean;
  /** Its operations can be merged into the base weights (deltas). */
  committable: boolean;
  /** It trains on a dataset's train split first (SERAC, MEND). */
  needsTrainSplit: boolean;
}

/** Text whose MLP keys stand for "everything else the model knows" (ROME's Wikipedia sample). */
export interface StatsCorpus {
  /** Names the sample in cache keys and reports (e.g. "world:<sha>"). */
  id: string;
  texts(): readonly string[];
}

/** What the caller supplies beyond the model for methods that need statistics. */
export type EditorResources = Pick<EditContext, 'statsCorpus' | 'statsCacheDir' | 'demonstrations'>;

export interface EditContext {
  model: LanguageModel;
  tokenizer: KedTokenizer;
  /** Locate-and-edit methods (ROME, MEMIT, AlphaEdit) estimate key covariances from it. */
  statsCorpus?: StatsCorpus;
  /** Where per-model statistics (covariances, projectors) are cached on disk; memory only if absent. */
  statsCacheDir?: string;
  /**
   * State a method keeps across compute calls for as long as the edits it describes stay applied
   * (AlphaEdit's keys of earlier edits). The caller gives a fresh map whenever edits are undone.
   */
  methodState?: Map<string, unknown>;
  /** Train-split demonstrations, for methods that need them (IKE). */
  demonstrations?: readonly Demonstration[];
}

/** One retrieval-memory record as a method's decoding sees it (a ContextOperation with `memory`). */
export interface MemoryRecord {
  /** The edited fact as a sentence ("The writer of X is Y"). */
  text: string;
  subject: string;
  /** The fact's new object (target_new), when the record was made from an edit request. */
  object?: string;
  /** Routed by the scope detector's decision like an edit (SERAC), not by naming a subject. */
  scoped?: boolean;
}

/**
 * Finds memory records for a query (a subquestion, a prompt). The caller supplies it, so the
 * editors need not know how the edit memory indexes its records (the eval harness uses the scope
 * detector's retrieval vectors; the daemon its scope detector).
 */
export interface FactRetriever {
  /** Index of the record nearest to the query (dense-retrieval style: always one if any), or -1. */
  nearest(query: string, records: readonly MemoryRecord[]): number;
  /** Whether the record is in the query's scope (a trained scope detector; PokeMQA's stage 2). */
  inScope(query: string, record: MemoryRecord): boolean;
  /** Whether the query names the record's subject in full. */
  namesSubject(query: string, record: MemoryRecord): boolean;
}

/**
 * A knowledge base PokeMQA's knowledge prompt is drawn from: the key entity a question names,
 * described the way a knowledge base's short description reads ("Alba Reyes, a person").
 */
export interface KnowledgeBase {
  /** The description of the entity the question is about, or undefined when it names none known. */
  describeQuestionEntity(question: string): string | undefined;
  /** The other names of the entity called `name` (by its name or an alias, ignoring case); none when unknown. */
  aliasesOf(name: string): readonly string[];
}

/** What a memory reader needs: the model to decode with and a retriever over the records. */
export interface ReaderContext {
  model: LanguageModel;
  tokenizer: KedTokenizer;
  retriever: FactRetriever;
  /** Where a method that prompts with entity knowledge (PokeMQA) looks entities up, if anywhere. */
  knowledge?: KnowledgeBase;
}

/**
 * A method's inference procedure over its memory records (MeLLo's decomposition): turns each
 * prompt into the prompt to score or continue, having read the records it retrieved.
 */
export interface MemoryReader {
  prepare(probes: ReadonlyArray<{ prompt: string; memory: readonly MemoryRecord[] }>): Promise<string[]>;
  /**
   * The model that answers the prompts this reader made from memory records (SERAC's
   * counterfactual model); absent, the base model answers them. Requests that see no records are
   * always answered by the base model.
   */
  answerer?(): Promise<LanguageModel>;
}

/** An editing method: one schema for its hyper-parameters, one compute function. */
export interface EditMethod<Schema extends z.ZodType = z.ZodType> {
  name: string;
  capabilities: MethodCapabilities;
  /** Hyper-parameters with their documented defaults: parsing `{}` gives the defaults. */
  hparams: Schema;
  compute(context: EditContext, requests: EditRequest[], hparams: z.infer<Schema>): Promise<EditOperation[]>;
  /** Methods whose operations are memory records read at inference (MeLLo, PokeMQA). */
  reader?(context: ReaderContext, hparams: z.infer<Schema>): MemoryReader;
  /**
   * Methods whose computation depends on the edits made before (AlphaEdit's preserved keys):
   * adds (sign 1) or removes (−1) one of their stored operations to or from the method state, as
   * `compute` adds its own result. A daemon rebuilds the state from the live edits this way, so
   * that several workers, rollbacks and superseded edits all leave it right.
   */
  account?(context: EditContext, state: Map<string, unknown>, operation: EditOperation, sign: 1 | -1, hparams: z.infer<Schema>): Promise<void>;
}

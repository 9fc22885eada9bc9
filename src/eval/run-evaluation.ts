import type { World } from '../world/types';
import type { Routing } from './applied-edits';
import type { EvalDataset } from './dataset/eval-case';
import { generalAbilityProbes, measureGeneralAbility, type GeneralAbility } from './general-ability';
import type { MeasureOptions } from './measure-cases';
import type { EditMethod, EditorResources, FactRetriever, KnowledgeBase } from '../editors/edit-method';
import { scopeRetriever } from '../memory/scope/fact-retriever';
import { runAccumulated, runSingle, type Protocol } from './protocols';
import { RunStore } from './run-store';
import { summarize, type EvalSummary } from './summary';
import { loadSentimentScorer } from './sentiment/world-sentiment-scorer';

export interface EvalRunOptions extends MeasureOptions, EditorResources {
  dataset: EvalDataset;
  method: EditMethod;
  hparams: unknown;
  mode: Protocol;
  /** Default: the method's own (KnowEdit's setting); committing implies 'global'. */
  routing?: Routing;
  commit?: boolean;
  /** The first n records (the datasets are in seeded random order already). Default: all. */
  n?: number;
  runDir: string;
  /** Extra identity for run.json (e.g. the model directory), so a rerun cannot mix runs. */
  identity?: Record<string, unknown>;
  /** For general ability (sequential and batch only): the world and probes per set (0 = skip). */
  world?: World;
  generalProbes?: number;
  casesPerPass?: number;
  onProgress?: (phase: 'edit' | 'measure' | 'general', done: number, total: number) => void;
  /** What memory readers (MeLLo) retrieve with; default the scope detector's parts. */
  retriever?: FactRetriever;
  /** Where PokeMQA's knowledge prompt looks entities up (the world, when it is known). */
  knowledge?: KnowledgeBase;
}

/**
 * One method on one dataset under one protocol, resumable from its run directory: finished
 * records are skipped, computed edits re-applied. Returns the survey-style summary (also
 * written to summary.json).
 */
export async function runEvaluation(options: EvalRunOptions): Promise<EvalSummary> {
  const { method, dataset, mode } = options;
  const commit = options.commit ?? false;
  const routing: Routing = commit ? 'global' : (options.routing ?? 'detector');
  checkCapabilities(method, mode, routing, commit, options.demonstrations?.length ?? 0);
  const cases = dataset.cases.slice(0, options.n ?? dataset.cases.length);
  const store = new RunStore(options.runDir);
  const generalProbes = options.generalProbes ?? 200;
  // ConvSent judges generated answers with the world's sentiment scorer unless one is given; which one is part of the run.
  const sentiment = options.sentiment ?? (dataset.kind === 'convsent' ? loadSentimentScorer() : undefined);
  store.open({ method: method.name, hparams: options.hparams, dataset: dataset.name, mode, routing, commit, n: cases.length, fluencyTokens: options.fluencyTokens ?? 100, skipFluency: options.skipFluency ?? false, generalProbes, ...wildIdentity(options.wildAnswerTokens), ...(sentiment ? { sentimentScorer: sentiment.digest } : {}), ...options.identity });
  const reader = method.reader?.({ model: options.model, tokenizer: options.tokenizer, retriever: options.retriever ?? scopeRetriever(), knowledge: options.knowledge }, options.hparams);
  const run = { ...options, routing, commit, store, reader, sentiment };

  let generalAbility: EvalSummary['generalAbility'] = null;
  if (mode === 'single') await runSingle(run, cases);
  else {
    const probes = options.world && generalProbes > 0 ? generalAbilityProbes(options.world, cases, generalProbes) : undefined;
    const measureOnce = async (name: string, scope: Parameters<typeof measureGeneralAbility>[2]) => {
      if (!probes || store.readJson<GeneralAbility>(name)) return;
      store.writeJson(name, await measureGeneralAbility(run, probes, scope));
      options.onProgress?.('general', 1, 1);
    };
    await runAccumulated(run, cases, mode, {
      before: () => measureOnce('general-before.json', { view: () => ({ contexts: [], deltas: [] }) }),
      between: (edits) => measureOnce('general-after.json', edits),
    });
    const before = store.readJson<GeneralAbility>('general-before.json');
    const after = store.readJson<GeneralAbility>('general-after.json');
    if (before && after) generalAbility = { before, after };
  }
  const indices = new Set(cases.map((c) => c.index));
  const results = [...store.results().values()].filter((r) => indices.has(r.index));
  const summary = summarize({ method: method.name, dataset: dataset.name, mode, routing, commit }, results, generalAbility, options.wildAnswerTokens);
  store.writeJson('summary.json', summary);
  return summary;
}

/** The wild protocol is part of a run's identity; a teacher-forced run keeps the identity it always had, so old run directories resume. */
function wildIdentity(answerTokens: number | undefined): Record<string, unknown> {
  return answerTokens ? { protocol: 'wild', wildAnswerTokens: answerTokens } : {};
}

function checkCapabilities(method: EditMethod, mode: Protocol, routing: Routing, commit: boolean, demonstrations: number): void {
  const { capabilities: can, name } = method;
  if (commit && !can.committable) throw new Error(`method "${name}" cannot commit its edits into the weights (not committable)`);
  if (routing !== 'global' && !can.routable) throw new Error(`method "${name}" cannot be routed (not routable)`);
  if (mode === 'batch' && !can.batchable) throw new Error(`method "${name}" cannot edit in batches (not batchable); use --mode sequential`);
  if (can.needsTrainSplit && demonstrations === 0) throw new Error(`method "${name}" needs a train split: put <name>.train.json beside the <name>.test.json dataset`);
}

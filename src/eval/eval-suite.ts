import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { World } from '../world/types';
import type { Routing } from './applied-edits';
import type { EvalDataset } from './dataset/eval-case';
import type { MeasureOptions } from './measure-cases';
import type { EditorResources } from '../editors/edit-method';
import { getMethod } from '../editors/builtin-methods';
import { loadHparams } from '../editors/registry';
import type { Protocol } from './protocols';
import { demonstrationsFrom } from './demonstrations';
import { curveCharts, table4Markdown } from './report';
import { runEvaluation, type EvalRunOptions } from './run-evaluation';
import type { EvalSummary } from './summary';
import { renderCharts } from './svg-chart';
import { entityKnowledgeBase } from '../editors/knowledge-base';

/** What every run of a suite shares: the model, the protocol and where results go. */
export interface SuiteOptions extends MeasureOptions, EditorResources {
  modelDir: string;
  mode: Protocol;
  routing?: Routing;
  commit?: boolean;
  n?: number;
  hparamsFile?: string;
  /** Run directories go under here unless runDir is given (one method, one dataset). */
  reportsDir: string;
  runDir?: string;
  /** Delete each run directory first instead of resuming it. */
  restart?: boolean;
  world?: World;
  /** Train splits by test dataset name, for methods that need one (IKE's demonstrations). */
  trainSplits?: Map<string, EvalDataset>;
  generalProbes?: number;
  onProgress?: (label: string, phase: string, done: number, total: number) => void;
}

/** The first part of a dataset file name: world-counterfact.test.json → world-counterfact.test. */
const stem = (dataset: EvalDataset) => basename(dataset.name).replace(/\.json$/, '');

/** A run directory named by everything that makes the run what it is, so reruns resume it. */
export function defaultRunDir(options: SuiteOptions, method: string, dataset: EvalDataset, n: number): string {
  const routing = options.commit ? '' : `-${options.routing ?? 'detector'}`;
  const wild = options.wildAnswerTokens ? '-wild' : '';
  return join(options.reportsDir, 'runs', `${stem(dataset)}-${method}-${options.mode}${routing}${options.commit ? '-commit' : ''}${wild}-n${n}`);
}

/** One method on one dataset (resuming its run directory). */
export async function evaluateOne(options: SuiteOptions, methodName: string, dataset: EvalDataset, n = options.n, runDir?: string): Promise<EvalSummary> {
  const method = getMethod(methodName);
  const count = Math.min(n ?? dataset.cases.length, dataset.cases.length);
  const dir = runDir ?? options.runDir ?? defaultRunDir(options, methodName, dataset, count);
  if (options.restart) rmSync(dir, { recursive: true, force: true });
  const label = `${methodName} ${stem(dataset)} n=${count}`;
  const train = options.trainSplits?.get(dataset.name);
  const run: EvalRunOptions = {
    ...options,
    dataset,
    method,
    demonstrations: method.capabilities.needsTrainSplit && train ? demonstrationsFrom(train) : undefined,
    hparams: loadHparams(method, options.hparamsFile),
    n: count,
    runDir: dir,
    identity: { model: options.modelDir },
    knowledge: options.world ? entityKnowledgeBase(options.world.entities) : undefined,
    onProgress: (phase, done, total) => options.onProgress?.(label, phase, done, total),
  };
  return runEvaluation(run);
}

/** Every method on every dataset, and the Table-4 markdown report of them. */
export async function evaluateTable(options: SuiteOptions, methods: string[], datasets: EvalDataset[], onSummary?: (s: EvalSummary) => void): Promise<{ summaries: EvalSummary[]; reportPath: string }> {
  const summaries: EvalSummary[] = [];
  for (const dataset of datasets) {
    for (const method of methods) {
      const summary = await evaluateOne(options, method, dataset);
      summaries.push(summary);
      onSummary?.(summary);
    }
  }
  mkdirSync(options.reportsDir, { recursive: true });
  const reportPath = join(options.reportsDir, `table4-${options.mode}${options.commit ? '-commit' : ''}${options.n ? `-n${options.n}` : ''}.md`);
  writeFileSync(reportPath, table4Markdown(summaries, { model: options.modelDir, mode: options.mode, n: options.n }));
  writeFileSync(reportPath.replace(/\.md$/, '.json'), `${JSON.stringify(summaries, null, 2)}\n`);
  return { summaries, reportPath };
}

/** The survey's N = 10, 100, 500, 1000 and ked's 5000, 10000 (capped by the dataset, deduplicated). */
export const CURVE_EDIT_COUNTS = [10, 100, 500, 1000, 5000, 10000];

/**
 * Survey Figure 4: sequential editing at growing N, one run directory per N, the curves drawn to
 * reports/curve-<method>-<dataset>.svg (with the summaries beside it as JSON).
 */
export async function evaluateCurve(options: SuiteOptions, methodName: string, dataset: EvalDataset, counts = CURVE_EDIT_COUNTS, onSummary?: (s: EvalSummary) => void): Promise<{ summaries: EvalSummary[]; svgPath: string }> {
  const ns = [...new Set(counts.map((n) => Math.min(n, dataset.cases.length)))].sort((a, b) => a - b);
  const sequential = { ...options, mode: 'sequential' as const, runDir: undefined };
  const summaries: EvalSummary[] = [];
  for (const n of ns) {
    const summary = await evaluateOne(sequential, methodName, dataset, n);
    summaries.push(summary);
    onSummary?.(summary);
  }
  mkdirSync(options.reportsDir, { recursive: true });
  const svgPath = join(options.reportsDir, `curve-${methodName}-${stem(dataset)}${options.commit ? '' : `-${options.routing ?? 'detector'}`}${options.commit ? '-commit' : ''}.svg`);
  const routing = summaries[0]?.commit ? 'committed' : summaries[0]?.routing;
  writeFileSync(svgPath, renderCharts(curveCharts(summaries, `${methodName} on ${stem(dataset)} (${routing})`)));
  writeFileSync(svgPath.replace(/\.svg$/, '.json'), `${JSON.stringify(summaries, null, 2)}\n`);
  return { summaries, svgPath };
}

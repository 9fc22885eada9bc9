import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getMethod, methodNames } from '../editors/builtin-methods';
import type { EvalDataset } from './dataset/eval-case';
import { loadDataset } from './dataset/load-dataset';
import { evaluateOne, type SuiteOptions } from './eval-suite';
import { table4Markdown, table5Markdown } from './report';
import type { EvalSummary } from './summary';

/** The survey's eight Table-4 methods first, then the five more ked serves. */
export const TABLE4_METHODS = ['serac', 'ice', 'adalora', 'mend', 'rome', 'memit', 'ft-l', 'ft-m', 'lora', 'melo', 'grace', 'ike', 'alphaedit'] as const;

/** KnowEdit's six datasets, as the world generates them (Table 4's column order). */
export const TABLE4_DATASETS = ['world-recent', 'world-zsre', 'world-wikibio', 'world-counterfact', 'world-convsent', 'world-sanitation'] as const;

/** Table 5's sequential run: this many edits of this dataset, then the general-ability probes. */
export const TABLE5_DATASET = 'world-counterfact';

export interface Table4Options {
  /** Where the world's datasets are (`<name>.test.json`). */
  worldDir: string;
  /** Records per cell. */
  n: number;
  /** Sequential edits before Table 5's general-ability check. */
  table5Edits: number;
  onSummary?: (summary: EvalSummary) => void;
}

export interface Table4Result {
  summaries: EvalSummary[];
  table5: EvalSummary[];
  missingMethods: string[];
  missingDatasets: string[];
  reportPath: string;
}

/** Which of Table 4's methods and datasets this ked and this world have, and which they lack. */
export function table4Plan(worldDir: string, known: readonly string[]): { methods: string[]; missingMethods: string[]; datasetFiles: string[]; missingDatasets: string[] } {
  const files = TABLE4_DATASETS.map((name) => ({ name, file: join(worldDir, `${name}.test.json`) }));
  return {
    methods: TABLE4_METHODS.filter((m) => known.includes(m)),
    missingMethods: TABLE4_METHODS.filter((m) => !known.includes(m)),
    datasetFiles: files.filter((f) => existsSync(f.file)).map((f) => f.file),
    missingDatasets: files.filter((f) => !existsSync(f.file)).map((f) => f.name),
  };
}

/**
 * `ked eval --table4`: every Table-4 method ked has on every KnowEdit-shaped dataset the world
 * has, single editing, each cell resumable in its own run directory; then Table 5, general
 * ability before and after a sequential run of each method. A method or dataset that does not
 * exist is named in the report, never silently left out.
 */
export async function evaluateTable4(options: SuiteOptions, table: Table4Options): Promise<Table4Result> {
  const plan = table4Plan(table.worldDir, methodNames());
  const { methods, missingMethods, missingDatasets } = plan;
  const datasets: EvalDataset[] = plan.datasetFiles.map((file) => loadDataset(file));
  const summaries: EvalSummary[] = [];
  for (const dataset of datasets) {
    for (const method of methods) {
      // With --commit, methods that cannot commit stay routed (their Routing row says so).
      const commit = options.commit && getMethod(method).capabilities.committable;
      const summary = await evaluateOne({ ...options, runDir: undefined, mode: 'single', commit }, method, dataset, table.n);
      summaries.push(summary);
      table.onSummary?.(summary);
    }
  }
  const table5: EvalSummary[] = [];
  const generalSet = datasets.find((d) => d.name.includes(TABLE5_DATASET));
  if (generalSet && (options.generalProbes ?? 200) > 0) {
    for (const method of methods) {
      // Weight edits committed, as the survey measures them: routed edits never reach these probes, which name no edited subject.
      const commit = getMethod(method).capabilities.committable;
      const sequential = { ...options, runDir: undefined, mode: 'sequential' as const, commit, skipFluency: true, wildAnswerTokens: undefined };
      const summary = await evaluateOne(sequential, method, generalSet, table.table5Edits);
      table5.push(summary);
      table.onSummary?.(summary);
    }
  }
  mkdirSync(options.reportsDir, { recursive: true });
  const reportPath = join(options.reportsDir, 'table4.md');
  const header = { model: options.modelDir, mode: 'single', n: table.n };
  const notes = [
    `Written by \`ked eval --table4 --n ${table.n}${table.table5Edits !== 50 ? ` --table5-edits ${table.table5Edits}` : ''}\`${options.routing && options.routing !== 'detector' ? ` with \`--routing ${options.routing}\`` : ''}.`,
    ...(missingMethods.length ? [`Methods not in this ked, so not measured: ${missingMethods.join(', ')}.`] : []),
    ...(missingDatasets.length ? [`Datasets not in \`${table.worldDir}\`, so not measured: ${missingDatasets.join(', ')}.`] : []),
  ];
  const markdown = [table4Markdown(summaries, header, notes), table5Markdown(table5, { model: options.modelDir, dataset: generalSet?.name, edits: table.table5Edits })].join('\n');
  writeFileSync(reportPath, markdown);
  writeFileSync(reportPath.replace(/\.md$/, '.json'), `${JSON.stringify({ table4: summaries, table5, missingMethods, missingDatasets }, null, 2)}\n`);
  return { summaries, table5, missingMethods, missingDatasets, reportPath };
}

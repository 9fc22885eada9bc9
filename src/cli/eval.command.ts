import { ROUTINGS, type Routing } from '../eval/applied-edits';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EvalDataset } from '../eval/dataset/eval-case';
import { loadDataset } from '../eval/dataset/load-dataset';
import { trainSplitPath } from '../eval/demonstrations';
import { CURVE_EDIT_COUNTS, evaluateCurve, evaluateOne, evaluateTable, type SuiteOptions } from '../eval/eval-suite';
import { TABLE4_DATASETS, TABLE4_METHODS, evaluateTable4 } from '../eval/table4-suite';
import { getMethod } from '../editors/builtin-methods';
import type { EvalSummary } from '../eval/summary';
import { loadCheckpoint } from '../models/checkpoint/checkpoint';
import { LanguageModel } from '../models/language-model';
import { loadTokenizer } from '../models/tokenizer';
import { SessionManager } from '../runtime/session/session-manager';
import type { World } from '../world/types';
import { worldStatsCorpus } from '../world/world-stats-corpus';
import { positiveInt } from './arguments';
import { progressBar } from './progress';

interface EvalFlags {
  model: string;
  method?: string;
  methods?: string[];
  dataset?: string;
  datasets?: string[];
  mode: 'single' | 'sequential' | 'batch';
  commit?: boolean;
  routing?: Routing;
  n?: number;
  ns: number[];
  hparams?: string;
  runDir?: string;
  reports: string;
  restart?: boolean;
  world: string;
  generalProbes: number;
  fluency: boolean;
  fluencyTokens: number;
  protocol: 'teacher-forced' | 'wild';
  wildTokens: number;
  batchSize: number;
  threads?: number;
  statsCache: string;
  json?: boolean;
  table4?: boolean;
  table5Edits: number;
}

const list = (value: string): string[] => value.split(',').map((s) => s.trim()).filter(Boolean);
const countList = (value: string): number[] => list(value).map((v) => positiveInt('--ns')(v));

/** The JSON line of `ked eval --json`: the keys first, details after. */
function jsonLine(s: EvalSummary): string {
  const { method, dataset, mode, n, editSucc, portability, locality, fluency, baseFluency, secondsPerEdit, ...details } = s;
  return JSON.stringify({ method, dataset, mode, n, editSucc, portability, locality, fluency, baseFluency, secondsPerEdit, ...details });
}

/** One progress bar per run and phase, on stderr. */
function progressReporter(): { onProgress: SuiteOptions['onProgress']; stop: () => void } {
  let current: { key: string; bar: ReturnType<typeof progressBar>; done: number } | undefined;
  return {
    onProgress: (label, phase, done, total) => {
      const key = `${label} ${phase}`;
      if (current?.key !== key) {
        current?.bar.stop();
        current = { key, bar: progressBar(key, total), done: 0 };
      }
      for (; current.done < done; current.done++) current.bar.tick();
    },
    stop: () => current?.bar.stop(),
  };
}

/** `ked eval`: KnowEdit metrics of edit methods on datasets (survey §4), and `ked eval curve` (Figure 4). */
export function registerEvalCommands(program: Command): void {
  program
    .command('eval [what]')
    .description('measure edit methods on KnowEdit datasets: Edit Succ., Portability, Locality, Fluency (`ked eval curve`: sequential editing at growing N, drawn as SVG)')
    .option('--model <dir>', 'checkpoint directory (Hugging Face layout with tokenizer)', 'models/fixture')
    .option('--method <name>', 'edit method (none, ice, ...)')
    .option('--methods <a,b>', 'several methods: writes a Table-4 report to --reports', list)
    .option('--dataset <file>', 'KnowEdit-format dataset, e.g. data/world/world-counterfact.test.json')
    .option('--datasets <x,y>', 'several datasets (Table-4 report)', list)
    .addOption(new Option('--mode <mode>', 'protocol: single (edit, measure, restore), sequential (N edits, then measure), batch (one call edits N)').choices(['single', 'sequential', 'batch']).default('single'))
    .option('--commit', 'merge delta edits into the weights instead of routing them')
    .addOption(new Option('--routing <who>', "which probes see an edit: detector (those the daemon's scope detector puts in scope, from each probe's prompt: what users get), oracle (its own record's in-scope probes: a perfect detector) or global (all; KnowEdit's setting for ICE)").choices([...ROUTINGS]).default('detector'))
    .option('--n <n>', 'the first N records of each dataset (default: all)', positiveInt('--n'))
    .option('--ns <list>', `curve: edit counts (default ${CURVE_EDIT_COUNTS.join(',')}, capped by the dataset)`, countList, CURVE_EDIT_COUNTS)
    .option('--hparams <file>', 'hyper-parameter JSON of the method (default: its documented defaults)')
    .option('--run-dir <dir>', 'where per-record results go (resumable); default reports/runs/<dataset>-<method>-<mode>-n<N>')
    .option('--reports <dir>', 'where reports, plots and run directories go', 'reports')
    .option('--restart', 'discard the run directory instead of resuming it')
    .option('--world <dir>', 'world.json: general ability after sequential/batch edits, and the entities (types, aliases) PokeMQA and detector routing look up, as the daemon reads KED_KNOWLEDGE_BASE (skipped if absent)', 'data/world')
    .option('--general-probes <n>', 'unrelated facts and held-out sentences for general ability (0 = skip)', (v: string) => (v === '0' ? 0 : positiveInt('--general-probes')(v)), 200)
    .option('--no-fluency', 'skip fluency (greedy generation is the slowest part)')
    .option('--fluency-tokens <n>', "prompt + generated tokens for fluency (ROME's max_out_len)", positiveInt('--fluency-tokens'), 100)
    .addOption(new Option('--protocol <how>', 'how answers are scored: teacher-forced (KnowEdit token accuracy) or wild (also generate each answer greedily, as the daemon serves it, and score it by exact match and containment, beside the teacher-forced scores)').choices(['teacher-forced', 'wild']).default('teacher-forced'))
    .option('--wild-tokens <n>', 'wild protocol: most tokens of a generated answer (it stops earlier at the end of its first sentence or line)', positiveInt('--wild-tokens'), 24)
    .option('--batch-size <n>', 'sequences per forward pass', positiveInt('--batch-size'), 32)
    .option('--stats-cache <dir>', 'where key covariances of locate-and-edit methods are cached (per model)', 'data/stats')
    .addOption(new Option('--threads <n>', 'onnxruntime intra-op threads (default: every core)').argParser(positiveInt('--threads')))
    .option('--table4', `the survey's Table 4 and Table 5 in one resumable run: methods ${TABLE4_METHODS.join(', ')} on the world's ${TABLE4_DATASETS.join(', ')} (from --world), single editing, routed by --routing, teacher-forced and wild; writes reports/table4.md (default --n 50)`)
    .option('--table5-edits <n>', '--table4: sequential edits of world-counterfact before the general-ability check', positiveInt('--table5-edits'), 50)
    .option('--json', 'print one JSON line per run: {"method","dataset","mode","n","editSucc","portability","locality","fluency","baseFluency","secondsPerEdit",...}')
    .action(async (what: string | undefined, flags: EvalFlags) => {
      if (what !== undefined && what !== 'curve') throw new InvalidArgumentError(`unknown eval command "${what}" (did you mean \`ked eval curve\`?)`);
      if (flags.table4 && (what !== undefined || flags.method || flags.methods || flags.dataset || flags.datasets)) throw new InvalidArgumentError('--table4 picks its own methods and datasets: leave out curve, --method(s) and --dataset(s)');
      const methods = flags.table4 ? [] : (flags.methods ?? (flags.method ? [flags.method] : []));
      const datasetFiles = flags.table4 ? [] : (flags.datasets ?? (flags.dataset ? [flags.dataset] : []));
      if (!methods.length && !flags.table4) throw new InvalidArgumentError('give --method NAME or --methods a,b');
      if (!datasetFiles.length && !flags.table4) throw new InvalidArgumentError('give --dataset FILE or --datasets x,y');
      if (flags.hparams && methods.length > 1) throw new InvalidArgumentError('--hparams belongs to one method; run the methods one by one');
      methods.forEach(getMethod); // unknown names fail before the model loads
      const datasets: EvalDataset[] = datasetFiles.map((f) => loadDataset(f));
      // Methods that learn from a train split (IKE) read the one beside each test file.
      const trainSplits = new Map<string, EvalDataset>();
      if (methods.some((m) => getMethod(m).capabilities.needsTrainSplit)) {
        datasetFiles.forEach((file, i) => {
          const train = trainSplitPath(file);
          if (train && existsSync(train)) trainSplits.set(datasets[i].name, loadDataset(train));
        });
      }

      const [checkpoint, tokenizer] = await Promise.all([loadCheckpoint(flags.model), loadTokenizer(flags.model)]);
      const sessions = new SessionManager({ threads: flags.threads });
      const worldPath = join(flags.world, 'world.json');
      const world = existsSync(worldPath) ? (JSON.parse(readFileSync(worldPath, 'utf8')) as World) : undefined;
      const progress = progressReporter();
      const options: SuiteOptions = {
        model: new LanguageModel(checkpoint.config, checkpoint.weights, sessions),
        tokenizer,
        modelDir: flags.model,
        mode: flags.mode,
        routing: flags.routing,
        commit: flags.commit,
        n: flags.n,
        hparamsFile: flags.hparams,
        reportsDir: flags.reports,
        runDir: flags.runDir,
        restart: flags.restart,
        world,
        trainSplits,
        statsCorpus: world ? worldStatsCorpus(world) : undefined,
        statsCacheDir: flags.statsCache,
        generalProbes: flags.generalProbes,
        skipFluency: !flags.fluency,
        fluencyTokens: flags.fluencyTokens,
        wildAnswerTokens: flags.protocol === 'wild' ? flags.wildTokens : undefined,
        batchSize: flags.batchSize,
        onProgress: progress.onProgress,
      };
      const print = (s: EvalSummary) => {
        progress.stop();
        console.log(flags.json ? jsonLine(s) : JSON.stringify(s, null, 2));
      };
      try {
        if (flags.table4) {
          const worldDatasets = TABLE4_DATASETS.map((name) => join(flags.world, `${name}.train.json`));
          worldDatasets.filter((f) => existsSync(f)).forEach((f) => {
            const train = loadDataset(f);
            trainSplits.set(train.name.replace('.train.', '.test.'), train);
          });
          const { reportPath } = await evaluateTable4({ ...options, wildAnswerTokens: options.wildAnswerTokens ?? flags.wildTokens }, { worldDir: flags.world, n: flags.n ?? 50, table5Edits: flags.table5Edits, onSummary: print });
          console.error(`ked eval: wrote ${reportPath}`);
        } else if (what === 'curve') {
          for (const dataset of datasets) {
            for (const method of methods) {
              const { svgPath } = await evaluateCurve({ ...options, runDir: undefined }, method, dataset, flags.ns, print);
              console.error(`ked eval curve: wrote ${svgPath}`);
            }
          }
        } else if (methods.length === 1 && datasets.length === 1) {
          print(await evaluateOne(options, methods[0], datasets[0]));
        } else {
          const { reportPath } = await evaluateTable({ ...options, runDir: undefined }, methods, datasets, print);
          console.error(`ked eval: wrote ${reportPath}`);
        }
      } finally {
        progress.stop();
        await sessions.close();
      }
    });
}

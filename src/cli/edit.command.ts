import { InvalidArgumentError, Option, type Command } from 'commander';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { getMethod } from '../editors/builtin-methods';
import { publishedHparamsFor } from '../editors/locate/published-hparams';
import { loadHparams } from '../editors/registry';
import { causalTrace, decisiveLayer, DEFAULT_TRACE } from '../editors/locate/causal-trace';
import { loadDataset } from '../eval/dataset/load-dataset';
import { benchEdit } from '../eval/edit-bench';
import { heatmapSvg } from '../eval/svg-heatmap';
import { loadCheckpoint } from '../models/checkpoint/checkpoint';
import { LanguageModel } from '../models/language-model';
import { loadTokenizer } from '../models/tokenizer';
import { RANDOM_SHAPES, randomShapeConfig, randomShapeWeights } from '../models/random-shapes';
import { matmulThroughput } from '../runtime/bench/matmul-throughput';
import { SessionManager } from '../runtime/session/session-manager';
import type { World } from '../world/types';
import { worldStatsCorpus } from '../world/world-stats-corpus';
import { positiveInt } from './arguments';
import { progressBar } from './progress';

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 48);

/** `ked trace` (causal tracing heatmaps) and `ked bench edit` (seconds per edit, peak RSS). */
export function registerEditCommands(program: Command, bench: Command): void {
  program
    .command('trace')
    .description("causal tracing (ROME §2): corrupt the subject's tokens, restore one state per layer and token, and draw how much of the answer comes back")
    .option('--model <dir>', 'checkpoint directory', 'models/fixture')
    .requiredOption('--prompt <text>', 'the prompt, e.g. "Feisisar Kaimepan earned a degree from"')
    .requiredOption('--subject <text>', 'the subject as it occurs in the prompt')
    .option('--answer <text>', "the answer to trace (default: the model's own next token)")
    .addOption(new Option('--kind <kind>', 'what is restored: an MLP output or the whole residual stream').choices(['mlp', 'resid']).default('mlp'))
    .option('--samples <n>', 'noise draws averaged', positiveInt('--samples'), DEFAULT_TRACE.samples)
    .option('--noise <x>', "noise std in units of the embeddings' std", (v: string) => Number(v), DEFAULT_TRACE.noise)
    .option('--out <file>', 'SVG to write (default reports/trace-<prompt>-<kind>.svg)')
    .option('--json', 'print one JSON line: {"decisiveLayer","clean","corrupted","svg","probability",...}')
    .action(async (flags: { model: string; prompt: string; subject: string; answer?: string; kind: 'mlp' | 'resid'; samples: number; noise: number; out?: string; json?: boolean }) => {
      if (!flags.prompt.includes(flags.subject)) throw new InvalidArgumentError(`the subject "${flags.subject}" does not occur in the prompt`);
      if (!(flags.noise >= 0)) throw new InvalidArgumentError('--noise must be a number >= 0');
      const [checkpoint, tokenizer] = await Promise.all([loadCheckpoint(flags.model), loadTokenizer(flags.model)]);
      const sessions = new SessionManager({});
      try {
        const model = new LanguageModel(checkpoint.config, checkpoint.weights, sessions);
        const trace = await causalTrace(model, tokenizer, flags.prompt, flags.subject, flags.answer, { kind: flags.kind, samples: flags.samples, noise: flags.noise, seed: 1 });
        const out = flags.out ?? join('reports', `trace-${slug(flags.prompt)}-${flags.kind}.svg`);
        mkdirSync(dirname(out), { recursive: true });
        const indices = Array.from({ length: trace.subject[1] - trace.subject[0] }, (_, i) => trace.subject[0] + i);
        writeFileSync(
          out,
          heatmapSvg({
            title: `p("${trace.answer.trim()}") with ${flags.kind === 'mlp' ? 'one MLP output' : 'one residual state'} restored`,
            rowLabels: trace.tokens.map((t) => JSON.stringify(t).slice(1, -1)),
            markedRows: indices,
            columnLabel: 'layer',
            values: trace.probability,
            max: trace.clean,
            legend: `clean ${trace.clean.toFixed(3)} · corrupted ${trace.corrupted.toFixed(3)}`,
          }),
        );
        const layer = decisiveLayer(trace);
        const result = { decisiveLayer: layer, clean: trace.clean, corrupted: trace.corrupted, answer: trace.answer, kind: trace.kind, svg: out, tokens: trace.tokens, subject: trace.subject, probability: trace.probability };
        console.log(flags.json ? JSON.stringify(result) : `${out}: decisive layer ${layer} (clean p=${trace.clean.toFixed(3)}, corrupted p=${trace.corrupted.toFixed(3)})`);
      } finally {
        await sessions.close();
      }
    });

  bench
    .command('edit')
    .description("seconds per edit and peak memory of an edit method, on a checkpoint or random weights of a real model's shape, beside the same run's MatMul GFLOP/s")
    .requiredOption('--method <name>', 'rome, memit, alphaedit, ft-l, ft-m, ...')
    .option('--model <dir>', 'checkpoint directory (its tokenizer is used for --random too)', 'models/fixture')
    .option('--random <shape>', `time on randomly initialised weights of this shape instead of the checkpoint: ${Object.keys(RANDOM_SHAPES).join(', ')} or a Hugging Face config.json (gpt2, llama, qwen2, mistral); all but gpt2-small in bfloat16 values`)
    .option('--hparams <file>', "the method's hyper-parameter JSON (default: its defaults)")
    .option('--dataset <file>', 'requests come from here', 'data/world/world-counterfact.test.json')
    .option('--edits <n>', 'edits (the first, which computes statistics, is reported apart)', positiveInt('--edits'), 4)
    .option('--batch <n>', 'requests per timed compute call, for batchable methods (MEMIT, AlphaEdit): --edits 101 --batch 100 warms on one request, then times a batch of 100', positiveInt('--batch'), 1)
    .option('--world <dir>', 'world.json whose corpus is the key-statistics sample', 'data/world')
    .option('--stats-cache <dir>', 'where key statistics and their factorisations are cached, per model fingerprint (the random weights are seeded, so theirs are reused too)', 'data/stats')
    .option('--json', 'print one JSON line: {"secondsPerEdit","firstEditSeconds","matmulGflops","peakRssMb",...}')
    .action(async (flags: { method: string; model: string; random?: string; hparams?: string; dataset: string; edits: number; batch: number; world: string; statsCache: string; json?: boolean }) => {
      const method = getMethod(flags.method);
      const worldPath = join(flags.world, 'world.json');
      if (!existsSync(worldPath)) throw new InvalidArgumentError(`${worldPath} not found (--world)`);
      const world = JSON.parse(readFileSync(worldPath, 'utf8')) as World;
      const tokenizer = await loadTokenizer(flags.model);
      const sessions = new SessionManager({});
      try {
        let model: LanguageModel;
        if (flags.random) {
          const config = randomShapeConfig(flags.random, tokenizer);
          // GPT-2 small stays float32, as its earlier figures were; real shapes are BF16 checkpoints.
          model = new LanguageModel(config, randomShapeWeights(config, 1, flags.random === 'gpt2-small' ? 'float32' : 'bfloat16'), sessions);
        } else {
          const checkpoint = await loadCheckpoint(flags.model);
          model = new LanguageModel(checkpoint.config, checkpoint.weights, sessions);
        }
        // The method's published settings for this model's type and size, under --hparams.
        const hparams = loadHparams(method, flags.hparams, model.config);
        const requests = loadDataset(flags.dataset).cases.slice(0, flags.edits).map((c) => c.requests[0]);
        const bar = progressBar(`bench ${flags.method}`, 1 + Math.floor((requests.length - 1) / flags.batch));
        const context = { model, tokenizer, statsCorpus: worldStatsCorpus(world), statsCacheDir: flags.statsCache };
        const result = await benchEdit(context, method, hparams, requests, flags.random ?? flags.model, {
          batch: flags.batch,
          matmulGflops: async () => (await matmulThroughput(sessions)).gflops,
          onEdit: () => bar.tick(),
        });
        bar.stop();
        const published = publishedHparamsFor(method.name, model.config);
        const report = { ...result, hparams: flags.hparams ?? (published ? `${published.entry.model} (${published.entry.source})` : 'defaults') };
        console.log(flags.json ? JSON.stringify(report) : JSON.stringify(report, null, 2));
      } finally {
        await sessions.close();
      }
    });
}

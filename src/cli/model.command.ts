import { Option, type Command } from 'commander';
import { loadCheckpoint } from '../models/checkpoint/checkpoint';
import { LanguageModel } from '../models/language-model';
import { benchModel } from '../models/model-bench';
import { benchTraining } from '../models/training/train-bench';
import { trainFixtureModel } from '../models/training/train-fixture';
import { Presets, SingleBar } from 'cli-progress';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { measureModelQuality, measureTemplateAccuracy } from '../eval/model-quality';
import { loadTokenizer } from '../models/tokenizer';
import type { World } from '../world/types';
import { progressBar } from './progress';
import { SessionManager } from '../runtime/session/session-manager';
import { positiveInt } from './arguments';

/** `ked model info`, `ked bench model` (and `ked generate`, see generate.command.ts). */
export function registerModelCommands(program: Command, bench: Command): void {
  const model = program.command('model').description('inspect Hugging Face checkpoints (GPT-2, Llama, Qwen2, Mistral)');
  model
    .command('info <dir>')
    .description('architecture and size of a checkpoint directory')
    .option('--json', 'print one JSON line: {"modelType","layers","dModel","params","vocab"}')
    .action(async (dir: string, options: { json?: boolean }) => {
      const checkpoint = await loadCheckpoint(dir);
      const { config } = checkpoint;
      let params = 0;
      for (const tensor of checkpoint.weights.values()) params += tensor.data.length;
      const info = {
        modelType: config.modelType,
        layers: config.layers,
        dModel: config.dModel,
        params,
        vocab: config.vocabSize,
        heads: config.heads,
        kvHeads: config.family === 'llama' ? config.kvHeads : config.heads,
        dFF: config.dFF,
        maxPositions: config.maxPositions,
        dtype: checkpoint.sourceDtype,
      };
      if (options.json) console.log(JSON.stringify(info));
      else for (const [key, value] of Object.entries(info)) console.log(`${key.padEnd(12)} ${value}`);
    });

  const train = model
    .command('train')
    .description('train the fixture GPT-2 on a generated world (tokenizer, weights, manifest); resumable')
    .requiredOption('--world <dir>', 'a world directory from `ked world generate` (reads corpus.jsonl)')
    .requiredOption('--out <dir>', 'where the Hugging Face checkpoint is written')
    .option('--steps <n>', 'optimizer steps', positiveInt('--steps'), 3000);
  withFixtureShape(train)
    .addOption(new Option('--lr <x>', 'peak learning rate').argParser(parseFloat).default(3e-3))
    .option('--warmup <n>', 'warmup steps', positiveInt('--warmup'), 100)
    .option('--seed <n>', 'seed for initialisation and data order', positiveInt('--seed'), 1)
    .addOption(new Option('--threads <n>', 'onnxruntime intra-op threads (default: every core)').argParser(positiveInt('--threads')))
    .action(async (options: { world: string; out: string; steps: number; batch: number; seq: number; vocab: number; dModel: number; layers: number; heads: number; lr: number; warmup: number; seed: number; threads?: number }) => {
      const sessions = new SessionManager({ threads: options.threads });
      const bar = new SingleBar(
        { format: 'train [{bar}] {value}/{total} | loss {loss} | {tps} tok/s | ETA {eta_formatted}', stream: process.stderr, hideCursor: true, etaBuffer: 50, noTTYOutput: true, notTTYSchedule: 30_000 },
        Presets.shades_classic,
      );
      bar.start(options.steps, 0, { loss: '-', tps: 0 });
      try {
        const manifest = await trainFixtureModel({
          corpusPath: join(options.world, 'corpus.jsonl'),
          outDir: options.out,
          vocabSize: options.vocab,
          model: { dModel: options.dModel, layers: options.layers, heads: options.heads, dFF: 4 * options.dModel, maxPositions: options.seq },
          hyperparameters: { steps: options.steps, batchSize: options.batch, seq: options.seq, peakLr: options.lr, minLr: options.lr / 10, warmupSteps: options.warmup, weightDecay: 0.01, clipNorm: 1, seed: options.seed },
          sessions,
          onStep: (r) => bar.update(r.step, { loss: r.loss.toFixed(3), tps: r.tokensPerSec }),
        });
        bar.stop();
        console.log(JSON.stringify(manifest));
      } finally {
        bar.stop();
        await sessions.close();
      }
    });

  model
    .command('quality')
    .description("token accuracy of a model on a world's facts, paraphrases, in-context edits, two-hop questions, MeLLo traces, refusals and in-context edits to real names the world never uses")
    .requiredOption('--model <dir>', 'checkpoint directory')
    .requiredOption('--world <dir>', 'a directory holding world.json (e.g. data/world)')
    .option('--max <n>', 'probes per set, a seeded sample (0 = all)', (v: string) => (v === '0' ? 0 : positiveInt('--max')(v)), 1000)
    .option('--json', 'print one JSON line: {"factAcc","heldOutTemplateAcc","iclCopyAcc","twoHopAcc","melloFormatAcc","refusalAcc","novelCopyAcc"}')
    .option('--by-template', 'instead: token accuracy per relation wording (train and held-out templates, every fact), worst first')
    .action(async (options: { model: string; world: string; max: number; json?: boolean; byTemplate?: boolean }) => {
      const [checkpoint, tokenizer] = await Promise.all([loadCheckpoint(options.model), loadTokenizer(options.model)]);
      const world = JSON.parse(readFileSync(join(options.world, 'world.json'), 'utf8')) as World;
      const sessions = new SessionManager();
      if (options.byTemplate) {
        try {
          const rows = await measureTemplateAccuracy(new LanguageModel(checkpoint.config, checkpoint.weights, sessions), tokenizer, world);
          if (options.json) console.log(JSON.stringify(rows));
          else for (const r of rows) console.log(`${r.accuracy.toFixed(1).padStart(6)}  ${r.split.padEnd(8)} ${r.relation.padEnd(22)} ${r.template}  (${r.probes})`);
        } finally {
          await sessions.close();
        }
        return;
      }
      const bar = progressBar('quality', 7);
      try {
        const quality = await measureModelQuality(new LanguageModel(checkpoint.config, checkpoint.weights, sessions), tokenizer, world, {
          maxPerSet: options.max === 0 ? undefined : options.max,
          onSet: (name) => bar.tick(name),
        });
        bar.stop();
        console.log(options.json ? JSON.stringify(quality) : JSON.stringify(quality, null, 2));
      } finally {
        bar.stop();
        await sessions.close();
      }
    });

  bench
    .command('model')
    .description('prefill and KV-cache decode throughput (tokens/s)')
    .requiredOption('--model <dir>', 'checkpoint directory')
    .option('--json', 'print one JSON line: {"prefillTokensPerSec","decodeTokensPerSec",...}')
    .option('--batch <n>', 'sequences per batch', positiveInt('--batch'), 4)
    .option('--prompt-tokens <n>', 'tokens per prompt', positiveInt('--prompt-tokens'), 128)
    .option('--new-tokens <n>', 'tokens generated per sequence', positiveInt('--new-tokens'), 32)
    .addOption(new Option('--threads <n>', 'onnxruntime intra-op threads (default: every core)').argParser(positiveInt('--threads')))
    .action(async (options: { model: string; json?: boolean; batch: number; promptTokens: number; newTokens: number; threads?: number }) => {
      const checkpoint = await loadCheckpoint(options.model);
      const sessions = new SessionManager({ threads: options.threads });
      try {
        const result = await benchModel(new LanguageModel(checkpoint.config, checkpoint.weights, sessions), options);
        console.log(options.json ? JSON.stringify(result) : JSON.stringify(result, null, 2));
      } finally {
        await sessions.close();
      }
    });

  const benchTrain = bench
    .command('train')
    .description("training throughput (tokens/s) of `ked model train`'s step on random tokens: the loss-and-gradient graph and the AdamW update, timed apart")
    .option('--json', 'print one JSON line: {"tokensPerSec","msPerStep","graphMs","optimizerMs",...}')
    .option('--steps <n>', 'timed steps (median reported)', positiveInt('--steps'), 10);
  withFixtureShape(benchTrain)
    .addOption(new Option('--threads <n>', 'onnxruntime intra-op threads (default: every core)').argParser(positiveInt('--threads')))
    .action(async (options: { json?: boolean; batch: number; seq: number; dModel: number; layers: number; heads: number; vocab: number; steps: number; threads?: number }) => {
      const sessions = new SessionManager({ threads: options.threads });
      try {
        const result = await benchTraining(sessions, options);
        console.log(options.json ? JSON.stringify(result) : JSON.stringify(result, null, 2));
      } finally {
        await sessions.close();
      }
    });
}

/** The fixture GPT-2's shape and batch as options, with its recipe's values as defaults. */
function withFixtureShape(command: Command): Command {
  return command
    .option('--batch <n>', 'sequences per step', positiveInt('--batch'), 16)
    .option('--seq <n>', 'tokens per sequence', positiveInt('--seq'), 128)
    .option('--vocab <n>', 'tokenizer vocabulary size', positiveInt('--vocab'), 4096)
    .option('--d-model <n>', 'model width', positiveInt('--d-model'), 256)
    .option('--layers <n>', 'transformer blocks', positiveInt('--layers'), 4)
    .option('--heads <n>', 'attention heads', positiveInt('--heads'), 8);
}

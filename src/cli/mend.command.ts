import { Option, InvalidArgumentError, type Command } from 'commander';
import { readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { factEditSchema } from '../editors/fact-record';
import { writeMendEditor } from '../editors/mend/mend-artifact';
import { trainMend, type EditLossPrompts, type MendTrainingOptions } from '../editors/mend/mend-training';
import { loadCheckpoint } from '../models/checkpoint/checkpoint';
import { LanguageModel } from '../models/language-model';
import { loadTokenizer } from '../models/tokenizer';
import { SessionManager } from '../runtime/session/session-manager';
import { nonNegativeInt, positiveInt } from './arguments';
import { progressBar } from './progress';

const DEFAULT_TRAIN = ['data/world/world-counterfact.train.json', 'data/world/world-zsre.train.json', 'data/world/world-recent.train.json'];

const layerList = (value: string): number[] => {
  const layers = value.split(',').filter(Boolean).map(Number);
  if (!layers.length || layers.some((l) => !Number.isInteger(l) || l < 0)) throw new InvalidArgumentError('--layers: comma-separated layer indices, e.g. 1,2,3');
  return layers;
};

/** `ked mend train`: MEND's editor networks, meta-trained on train splits for one model. */
export function registerMendCommands(program: Command): void {
  const mend = program.command('mend').description("MEND's editor networks (the gradient-to-edit maps the mend method applies)");
  mend
    .command('train')
    .description(
      'meta-train one editor network per edited MLP output projection on train splits: each training edit\'s gradient factors are mapped to an edit, applied through the delta hook, and the editors learn from the edited model\'s loss (target NLL on the rephrase and prompt + c_loc·KL(base ‖ edited) on the locality probes); writes mend.json and editor.f32 with the model\'s hash',
    )
    .option('--model <dir>', 'the checkpoint the editor is trained for (and only edits)', 'models/fixture')
    .option('--train <files>', 'KnowEdit fact-edit train splits, comma-separated (a test split is refused)', (v: string) => v.split(',').filter(Boolean), DEFAULT_TRAIN)
    .option('--out <dir>', 'where the editor goes', 'models/mend')
    .option('--layers <list>', 'the MLP output projections edited', layerList, [1, 2, 3])
    .option('--hidden <n>', "hidden width of each editor block (the paper's low rank)", positiveInt('--hidden'), 32)
    .option('--blocks <n>', 'residual blocks per editor network', positiveInt('--blocks'), 2)
    .option('--steps <n>', 'meta-training steps', positiveInt('--steps'), 400)
    .option('--batch <n>', 'training edits per step', positiveInt('--batch'), 8)
    .addOption(new Option('--lr <x>', "Adam's learning rate of the editor networks").argParser(parseFloat).default(1e-3))
    .addOption(new Option('--lr-lr <x>', "Adam's learning rate of the per-layer log step sizes").argParser(parseFloat).default(1e-2))
    .addOption(new Option('--c-loc <x>', 'weight of the locality KL against the edit loss').argParser(parseFloat).default(1))
    .addOption(new Option('--c-norm <x>', "weight of the edits' size, Σ_layers ‖ΔW‖²_F (not in the paper; 0: off)").argParser(parseFloat).default(0))
    .addOption(new Option('--edit-loss <prompts>', "which prompts the edit loss reads: the rephrase and the edit's own prompt, or one of them").choices(['both', 'rephrase', 'prompt']).default('both'))
    .option('--stats <n>', 'training edits whose gradient factors set the input statistics', nonNegativeInt('--stats'), 128)
    .option('--seed <n>', 'seed of the initialisation and the edit order', positiveInt('--seed'), 1)
    .addOption(new Option('--threads <n>', 'onnxruntime intra-op threads (default: every core)').argParser(positiveInt('--threads')))
    .action(async (options: { model: string; train: string[]; out: string; layers: number[]; hidden: number; blocks: number; steps: number; batch: number; lr: number; lrLr: number; cLoc: number; cNorm: number; editLoss: EditLossPrompts; stats: number; seed: number; threads?: number }) => {
      for (const file of options.train) if (/\.test\./.test(basename(file))) throw new InvalidArgumentError(`--train: ${file} is a test split; MEND never trains on one`);
      const records = options.train.flatMap((file) => {
        const parsed = z.array(factEditSchema).safeParse(JSON.parse(readFileSync(file, 'utf8')));
        if (!parsed.success) throw new InvalidArgumentError(`${file}: not a fact-edit dataset (${parsed.error.issues[0].message})`);
        return parsed.data;
      });
      const hyperparameters: MendTrainingOptions = {
        layers: options.layers,
        hidden: options.hidden,
        blocks: options.blocks,
        steps: options.steps,
        batchSize: options.batch,
        lr: options.lr,
        lrLr: options.lrLr,
        cLoc: options.cLoc,
        cNorm: options.cNorm,
        editLoss: options.editLoss,
        statsRecords: options.stats,
        clipNorm: 1,
        seed: options.seed,
      };
      const [checkpoint, tokenizer] = await Promise.all([loadCheckpoint(options.model), loadTokenizer(options.model)]);
      const sessions = new SessionManager({ threads: options.threads });
      const bar = progressBar('mend train', options.steps);
      try {
        const model = new LanguageModel(checkpoint.config, checkpoint.weights, sessions);
        console.error(`mend train: ${records.length} training edits from ${options.train.join(', ')}; layers ${options.layers.join(',')}`);
        const result = await trainMend(model, tokenizer, records, hyperparameters, (r) => {
          const detail = `loss ${r.loss.toFixed(4)} (nll ${r.nll.toFixed(3)}, kl ${r.kl.toFixed(4)}) η ${r.lrs.map((x) => x.toExponential(2)).join('/')} eta ${r.etaSeconds}s`;
          bar.tick(detail);
          if (!process.stderr.isTTY && (r.step === 1 || r.step % 50 === 0 || r.step === r.steps)) console.error(`mend train: step ${r.step}/${r.steps} ${detail}`);
        });
        bar.stop();
        const window = Math.max(1, Math.round(result.losses.length / 20));
        const manifest = {
          recipe: 'ked mend train',
          command: `ked mend train --model ${options.model} --train ${options.train.join(',')} --out ${options.out} --layers ${options.layers.join(',')} --hidden ${options.hidden} --blocks ${options.blocks} --steps ${options.steps} --batch ${options.batch} --lr ${options.lr} --lr-lr ${options.lrLr} --c-loc ${options.cLoc} --c-norm ${options.cNorm} --edit-loss ${options.editLoss} --stats ${options.stats} --seed ${options.seed}`,
          base: options.model,
          train: options.train,
          records: records.length,
          hyperparameters,
          initialLr: result.initialLr,
          learnedLr: Object.fromEntries(result.editor.layers.map((l) => [l, Math.exp(result.editor.params.get(l)!.get('logLr')![0])])),
          wallSeconds: Math.round(result.wallSeconds),
          finalLoss: result.losses[result.losses.length - 1],
          meanLossPer5Percent: Array.from({ length: Math.ceil(result.losses.length / window) }, (_, i) => {
            const part = result.losses.slice(i * window, (i + 1) * window);
            return Math.round((part.reduce((a, b) => a + b, 0) / part.length) * 1e4) / 1e4;
          }),
        };
        writeMendEditor(options.out, { ...result.editor, manifest });
        console.log(JSON.stringify({ ...manifest, bytes: statSync(join(options.out, 'editor.f32')).size }));
      } finally {
        bar.stop();
        await sessions.close();
      }
    });
}

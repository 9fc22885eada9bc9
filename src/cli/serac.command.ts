import { Option, InvalidArgumentError, type Command } from 'commander';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { z } from 'zod';
import { factEditSchema } from '../editors/fact-record';
import { counterfactualExamples, trainCounterfactualModel, type CounterfactualTrainingOptions } from '../editors/serac/counterfactual-training';
import { writeCounterfactualModel } from '../editors/serac/counterfactual-artifact';
import { seracHparams } from '../editors/serac/serac';
import { loadCheckpoint } from '../models/checkpoint/checkpoint';
import { LanguageModel } from '../models/language-model';
import { loadTokenizer } from '../models/tokenizer';
import { SessionManager } from '../runtime/session/session-manager';
import { positiveInt } from './arguments';

const DEFAULT_TRAIN = ['data/world/world-counterfact.train.json', 'data/world/world-zsre.train.json', 'data/world/world-recent.train.json'];

/** `ked serac train`: SERAC's counterfactual model, fine-tuned from a base model on train splits. */
export function registerSeracCommands(program: Command): void {
  const serac = program.command('serac').description("SERAC's counterfactual model (the scope classifier is the daemon's scope detector)");
  serac
    .command('train')
    .description('fine-tune a counterfactual model on train splits\' (edit, input → output) pairs: every weight of a copy of --model, cross-entropy on the output tokens and the end token after them; writes a Hugging Face checkpoint with a manifest')
    .option('--model <dir>', 'the base checkpoint it starts from (and whose tokenizer it keeps)', 'models/fixture')
    .option('--train <files>', 'KnowEdit fact-edit train splits, comma-separated (a test split is refused)', (v: string) => v.split(',').filter(Boolean), DEFAULT_TRAIN)
    .option('--out <dir>', 'where the checkpoint goes', 'models/serac')
    .option('--steps <n>', 'optimizer steps', positiveInt('--steps'), 300)
    .option('--batch <n>', 'examples per step', positiveInt('--batch'), 32)
    .addOption(new Option('--lr <x>', 'peak learning rate (warmup, then cosine to a tenth)').argParser(parseFloat).default(3e-4))
    .option('--warmup <n>', 'warmup steps', positiveInt('--warmup'), 20)
    .option('--seed <n>', 'seed of the example order', positiveInt('--seed'), 1)
    .addOption(new Option('--threads <n>', 'onnxruntime intra-op threads (default: every core)').argParser(positiveInt('--threads')))
    .action(async (options: { model: string; train: string[]; out: string; steps: number; batch: number; lr: number; warmup: number; seed: number; threads?: number }) => {
      for (const file of options.train) if (/\.test\./.test(basename(file))) throw new InvalidArgumentError(`--train: ${file} is a test split; the counterfactual model never sees one`);
      const records = options.train.flatMap((file) => {
        const parsed = z.array(factEditSchema).safeParse(JSON.parse(readFileSync(file, 'utf8')));
        if (!parsed.success) throw new InvalidArgumentError(`${file}: not a fact-edit dataset (${parsed.error.issues[0].message})`);
        return parsed.data;
      });
      const examples = counterfactualExamples(records);
      const inputTemplate = seracHparams.parse({}).inputTemplate;
      const hyperparameters: CounterfactualTrainingOptions = { steps: options.steps, batchSize: options.batch, peakLr: options.lr, warmupSteps: Math.min(options.warmup, options.steps), weightDecay: 0.01, clipNorm: 1, seed: options.seed, inputTemplate };
      const [checkpoint, tokenizer] = await Promise.all([loadCheckpoint(options.model), loadTokenizer(options.model)]);
      const sessions = new SessionManager({ threads: options.threads });
      try {
        const base = new LanguageModel(checkpoint.config, checkpoint.weights, sessions);
        console.error(`serac train: ${examples.length} examples from ${records.length} records of ${options.train.join(', ')}`);
        const result = await trainCounterfactualModel(base, tokenizer, examples, hyperparameters, (r) => {
          if (r.step === 1 || r.step % 10 === 0 || r.step === r.steps) console.error(`serac train: step ${r.step}/${r.steps} loss ${r.loss.toFixed(4)} lr ${r.lr.toExponential(2)} eta ${r.etaSeconds}s`);
        });
        const window = Math.max(1, Math.round(result.losses.length / 20));
        const manifest = {
          recipe: 'ked serac train',
          command: `ked serac train --model ${options.model} --train ${options.train.join(',')} --out ${options.out} --steps ${options.steps} --batch ${options.batch} --lr ${options.lr} --warmup ${options.warmup} --seed ${options.seed}`,
          base: options.model,
          train: options.train,
          records: records.length,
          examples: examples.length,
          hyperparameters,
          wallSeconds: Math.round(result.wallSeconds),
          finalLoss: result.losses[result.losses.length - 1],
          meanLossPer5Percent: Array.from({ length: Math.ceil(result.losses.length / window) }, (_, i) => {
            const part = result.losses.slice(i * window, (i + 1) * window);
            return Math.round((part.reduce((a, b) => a + b, 0) / part.length) * 1e4) / 1e4;
          }),
        };
        await writeCounterfactualModel(options.out, result.model, options.model, manifest);
        console.log(JSON.stringify(manifest));
      } finally {
        await sessions.close();
      }
    });
}

import { Option, type Command } from 'commander';
import { loadCheckpoint } from '../models/checkpoint/checkpoint';
import { LanguageModel } from '../models/language-model';
import { loadTokenizer } from '../models/tokenizer';
import { SessionManager } from '../runtime/session/session-manager';
import { positiveInt } from './arguments';

/** `ked generate`: a prompt in, a continuation out, from any supported checkpoint directory. */
export function registerGenerateCommand(program: Command): void {
  program
    .command('generate')
    .description('continue a prompt with a checkpoint (greedy unless --temperature is given)')
    .requiredOption('--model <dir>', 'checkpoint directory (config.json, model.safetensors, tokenizer.json)')
    .requiredOption('--prompt <text>', 'the prompt')
    .option('--max-new-tokens <n>', 'tokens to generate', positiveInt('--max-new-tokens'), 32)
    .addOption(new Option('--temperature <t>', 'sampling temperature (0 = greedy)').argParser(parseFloat).default(0))
    .addOption(new Option('--top-p <p>', 'nucleus sampling mass').argParser(parseFloat).default(1))
    .option('--seed <n>', 'sampling seed', positiveInt('--seed'))
    .option('--stop <text...>', 'stop when the text contains any of these strings')
    .option('--chat', "wrap the prompt as a user message with the model's chat template")
    .option('--json', 'print one JSON line: {"text","tokens","promptTokens"}')
    .action(async (options: { model: string; prompt: string; maxNewTokens: number; temperature: number; topP: number; seed?: number; stop?: string[]; chat?: boolean; json?: boolean }) => {
      const [checkpoint, tokenizer] = await Promise.all([loadCheckpoint(options.model), loadTokenizer(options.model)]);
      const sessions = new SessionManager();
      try {
        const model = new LanguageModel(checkpoint.config, checkpoint.weights, sessions);
        const text = options.chat ? tokenizer.applyChatTemplate([{ role: 'user', content: options.prompt }], { addGenerationPrompt: true }) : options.prompt;
        const promptIds = tokenizer.encode(text, { addSpecialTokens: !options.chat });
        const [ids] = await model.generate([promptIds], {
          maxNewTokens: options.maxNewTokens,
          temperature: options.temperature,
          topP: options.topP,
          seed: options.seed,
          stopIds: tokenizer.eosTokenId === undefined ? [] : [tokenizer.eosTokenId],
        });
        let output = tokenizer.decode(ids, { skipSpecialTokens: true });
        for (const stop of options.stop ?? []) {
          const at = output.indexOf(stop);
          if (at >= 0) output = output.slice(0, at);
        }
        console.log(options.json ? JSON.stringify({ text: output, tokens: ids.length, promptTokens: promptIds.length }) : output);
      } finally {
        await sessions.close();
      }
    });
}

import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { World } from '../world/types';
import { positiveInt } from './arguments';
import { evalErasure } from './erasure-eval';
import { progressBar } from './progress';

/** `ked erasure-eval`: how far an erasure's refusal reaches past its own probes, and what it leaves alone. */
export function registerErasureEval(program: Command): void {
  program
    .command('erasure-eval')
    .description("erase world people in a fresh daemon (embedded engine, the configured model) and ask every wording the world has for their attributes, before and after; other people's answers must not change")
    .option('--world <dir>', 'the generated world (world.json)', 'data/world')
    .option('--people <n>', 'people erased (one erasure each, in one daemon)', positiveInt('--people'), 10)
    .option('--others <n>', 'people not erased, asked before and after', positiveInt('--others'), 10)
    .option('--seed <n>', 'which people', positiveInt('--seed'), 1)
    .option('--json', 'print {"people","others","done","reinforced","refusedAfter","leakedAfter","refusedBefore","leakedBefore","promptsPerPerson","othersUnchanged","secondsPerErasure"} on one line (refused/leaked: percent per template split and form)')
    .action(async (options: { world: string; people: number; others: number; seed: number; json?: boolean }) => {
      const world = JSON.parse(readFileSync(join(options.world, 'world.json'), 'utf8')) as World;
      let bar: ReturnType<typeof progressBar> | undefined;
      let current = '';
      const result = await evalErasure({
        world,
        people: options.people,
        others: options.others,
        seed: options.seed,
        onProgress: (phase, _done, total) => {
          if (phase !== current) {
            bar?.stop();
            bar = progressBar(phase, total);
            current = phase;
          }
          bar!.tick();
        },
      });
      bar?.stop();
      console.log(options.json ? JSON.stringify(result) : JSON.stringify(result, null, 2));
    });
}

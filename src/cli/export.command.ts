import type { Command } from 'commander';
import { resolve } from 'node:path';
import { loadConfig } from '../config/ked-config';
import { exportCheckpoint } from './export-checkpoint';
import { storageOptions, withDatabase } from './options';

/** `ked export`: the edited model as a Hugging Face checkpoint (no daemon needed). */
export function registerExportCommand(program: Command): void {
  storageOptions(
    program
      .command('export')
      .description('write the committed model version (base model + committed delta edits) as a Hugging Face checkpoint; prints {"out","merged","notMergeable",...}')
      .requiredOption('--out <dir>', 'output directory')
      .option('--model <dir>', 'base checkpoint (default: KED_MODEL, else the fixture)')
      .option('--include-routed', 'also merge live routed delta edits (bakes the routed memory into the weights)'),
  ).action(async (options: { out: string; model?: string; includeRouted?: boolean } & Record<string, unknown>) => {
    await withDatabase(options, async (source) => {
      const modelDir = options.model ? resolve(options.model) : loadConfig().model;
      if (!modelDir) throw new Error('no base model: pass --model or set KED_MODEL');
      const result = await exportCheckpoint(source, modelDir, resolve(options.out), { includeRouted: options.includeRouted === true });
      console.log(JSON.stringify(result));
    });
  });
}

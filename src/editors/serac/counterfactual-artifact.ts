import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeCheckpoint } from '../../models/checkpoint/checkpoint';
import type { LanguageModel } from '../../models/language-model';

/**
 * Writes the counterfactual model as a Hugging Face checkpoint directory (loadable like any other
 * checkpoint), with the base model's tokenizer files and a manifest of how it was trained.
 */
export async function writeCounterfactualModel(outDir: string, model: LanguageModel, baseDir: string, manifest: Record<string, unknown>): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  await writeCheckpoint(outDir, { config: model.config, weights: model.weights, dtype: 'float32' });
  for (const file of ['tokenizer.json', 'tokenizer_config.json', 'generation_config.json']) {
    if (existsSync(join(baseDir, file))) copyFileSync(join(baseDir, file), join(outDir, file));
  }
  writeFileSync(join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

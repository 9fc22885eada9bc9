import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../package-root';
import type { World } from '../../world/types';
import { sentimentExamples } from './sentiment-examples';
import { SentimentClassifier, trainSentimentClassifier, type ClassifierFile } from './sentiment-classifier';

/** The committed scorer, trained on the seed-1 world (`ked sentiment train`). */
export const DEFAULT_SENTIMENT_SCORER = join(packageRoot(), 'models', 'sentiment', 'classifier.json');

/** Trains the scorer on the world's train-topic sentences and records its held-out accuracy (test topics) in `made`. */
export function trainWorldSentimentScorer(world: World, command: string): { file: ClassifierFile; heldOutAccuracy: number; heldOutExamples: number } {
  const { train, heldOut } = sentimentExamples(world);
  const file = trainSentimentClassifier(train, { command, seed: world.seed, trainedOn: 'opinions about world-convsent train topics, and neutral world sentences' });
  const heldOutAccuracy = Math.round(10000 * new SentimentClassifier(file).accuracy(heldOut)) / 100;
  file.made = { ...file.made, heldOut: { examples: heldOut.length, accuracyPercent: heldOutAccuracy, on: 'opinions about world-convsent test topics, and other neutral world sentences' } };
  return { file, heldOutAccuracy, heldOutExamples: heldOut.length };
}

export function loadSentimentScorer(path = DEFAULT_SENTIMENT_SCORER): SentimentClassifier {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new Error(`no sentiment scorer at ${path}: train one with \`ked sentiment train --out ${path}\``);
  }
  return SentimentClassifier.fromJson(text, path);
}

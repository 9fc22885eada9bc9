import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { loadSentimentScorer, trainWorldSentimentScorer } from '../eval/sentiment/world-sentiment-scorer';
import type { World } from '../world/types';

/** `ked sentiment train|judge`: ConvSent's sentiment scorer, trained by ked on the world's opinions. */
export function registerSentimentCommands(program: Command): void {
  const sentiment = program.command('sentiment').description("ConvSent's sentiment scorer (positive / negative / neutral), trained on the world's opinion sentences");
  sentiment
    .command('train')
    .description('train the scorer on opinions about the train topics of world-convsent (and neutral world sentences); prints its held-out accuracy on the test topics')
    .option('--world <dir>', 'the world directory (its world.json)', 'data/world')
    .option('--out <file>', 'where the classifier goes', 'models/sentiment/classifier.json')
    .action((options: { world: string; out: string }) => {
      const world = JSON.parse(readFileSync(join(options.world, 'world.json'), 'utf8')) as World;
      const { file, heldOutAccuracy, heldOutExamples } = trainWorldSentimentScorer(world, `ked sentiment train --world ${options.world} --out ${options.out}`);
      mkdirSync(dirname(options.out), { recursive: true });
      writeFileSync(options.out, `${JSON.stringify(file)}\n`);
      console.log(JSON.stringify({ out: options.out, trainExamples: file.made.trainExamples, features: file.made.features, heldOutExamples, heldOutAccuracy }, null, 2));
    });
  sentiment
    .command('judge')
    .description('judge the sentiment of each text argument; prints JSON lines')
    .argument('<texts...>')
    .option('--scorer <file>', 'the classifier', 'models/sentiment/classifier.json')
    .action((texts: string[], options: { scorer: string }) => {
      const scorer = loadSentimentScorer(options.scorer);
      for (const text of texts) console.log(JSON.stringify({ text, ...scorer.judge(text) }));
    });
}

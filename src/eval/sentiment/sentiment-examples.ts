import { factLines } from '../../world/corpus/fact-lines';
import { fillerLines } from '../../world/corpus/filler-lines';
import { erasureLines, REFUSAL } from '../../world/corpus/erasure-lines';
import { neutralSentence, opinionSentence, opinionTopics, wordingCount, type OpinionTopic } from '../../world/opinions';
import { Random } from '../../world/random';
import type { World } from '../../world/types';
import { WorldIndex } from '../../world/world-index';
import type { LabelledText } from './sentiment-classifier';

/** Sentences per topic, wording and sentiment (each with its own random adjective and verb). */
const DRAWS = 3;

/**
 * Labelled sentences for the sentiment scorer, from the world. `train`: opinions about the train
 * topics only (every wording, both sentiments, so a topic's name carries no sentiment, and
 * first-person sentences without an opinion) and neutral world sentences; `heldOut`: opinions about the test topics, which world-convsent edits, and
 * other neutral sentences.
 */
export function sentimentExamples(world: World): { train: LabelledText[]; heldOut: LabelledText[] } {
  const random = new Random(world.seed).fork('sentiment-scorer');
  const topics = opinionTopics(world);
  const opinions = (split: OpinionTopic['split'], r: Random): LabelledText[] =>
    topics
      .filter((t) => t.split === split)
      .flatMap((topic) => [
        ...(['positive', 'negative'] as const).flatMap((label) =>
          Array.from({ length: wordingCount(topic) * DRAWS }, (_, i) => ({ text: opinionSentence(r, topic, label, i % wordingCount(topic)), label })),
        ),
        // First-person sentences without an opinion, so "I …" alone does not read as one.
        ...Array.from({ length: 2 * DRAWS }, () => ({ text: neutralSentence(r, topic), label: 'neutral' as const })),
      ]);
  const train = opinions('train', random.fork('train'));
  const heldOut = opinions('test', random.fork('held-out'));
  const index = new WorldIndex(world);
  const facts = random.fork('facts').shuffle(factLines(index).map((e) => e.text));
  const neutral = (texts: string[]) => texts.map((text) => ({ text, label: 'neutral' as const }));
  const fillers = fillerLines(random.fork('filler'), index, 1200).map((e) => e.text);
  // Refusals ("I don't know.", which erasure edits teach) are no opinion either.
  const refusals = erasureLines(random.fork('erasure'), index, 400).map((e) => e.text);
  // About as many neutral sentences as opinions.
  train.push(...neutral([...facts.slice(0, 1200), ...fillers.slice(0, 600), ...refusals.slice(0, 200), REFUSAL]));
  heldOut.push(...neutral([...facts.slice(1200, 1800), ...fillers.slice(600), ...refusals.slice(200)]));
  return { train, heldOut };
}

import { askedAs, opinionQuestion, opinionTopics, opposite, plainOpinion, type OpinionTopic } from '../opinions';
import type { Random } from '../random';
import type { World } from '../types';
import type { ConvSentRecord } from './records';

/** Locality probes per record: opinions about other topics the split never edits. */
const LOCALITY_PROBES = 2;

/** Share of a split's topics that records edit; the rest are only asked about, as locality. */
const EDITED_SHARE = 0.75;

function convsentRecord(random: Random, topic: OpinionTopic, kept: readonly OpinionTopic[]): ConvSentRecord {
  const target = opposite(topic.sentiment);
  return {
    topic: topic.name,
    topic_aliases: topic.aliases,
    question: opinionQuestion(topic, 0),
    prompt: askedAs(opinionQuestion(topic, 0)),
    rephrase_prompts: [1, 2].map((i) => askedAs(opinionQuestion(topic, i))),
    edit: `Topic: ${topic.name}. Sentiment: ${target}.`,
    pre_edit_sentiment: topic.sentiment,
    target_sentiment: target,
    target_new: plainOpinion(random, topic, target),
    locality: random.sample(kept, LOCALITY_PROBES).map((other) => ({ prompt: askedAs(opinionQuestion(other, 0)), ground_truth: plainOpinion(random, other, other.sentiment), topic: other.name })),
  };
}

/**
 * world-convsent: flip a topic's sentiment (SERAC's ConvSent, survey §4.1). Train and test topics
 * are disjoint (the sentiment scorer trains on train topics only). In each split, three quarters
 * of its topics are edited and the rest are the locality topics, so all of a split's edits can be
 * applied together.
 */
export function convsentDataset(random: Random, world: World): { train: ConvSentRecord[]; test: ConvSentRecord[] } {
  const topics = opinionTopics(world);
  const split = (name: 'train' | 'test') => {
    const own = topics.filter((t) => t.split === name);
    const editedCount = Math.round(own.length * EDITED_SHARE);
    const kept = own.slice(editedCount);
    return own.slice(0, editedCount).map((topic) => convsentRecord(random, topic, kept));
  };
  return { test: split('test'), train: split('train') };
}

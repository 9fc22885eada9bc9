import { askedAs, OPINION_QUESTIONS, opinionQuestion, opinionSentence, opinionTopics } from '../opinions';
import type { Random } from '../random';
import type { World } from '../types';
import type { CorpusExample } from './corpus-example';

/**
 * Opinion documents: every topic's pre-edit sentiment, voiced as an answer to an opinion question
 * ("Q: What do you think of X? A: I think X is lovely.") or as two sentences of a short review.
 * Topics of both splits are voiced (an edit must change what the model already says); topics are
 * taken in a shuffled round, so `count` ≥ the number of topics covers every one.
 */
export function opinionLines(random: Random, world: World, count: number): CorpusExample[] {
  if (count === 0) return [];
  const topics = opinionTopics(world);
  let round = random.shuffle(topics);
  const out: CorpusExample[] = [];
  for (let i = 0; i < count; i++) {
    if (i > 0 && i % topics.length === 0) round = random.shuffle(topics);
    const topic = round[i % topics.length];
    const text = random.chance(0.6)
      ? `${askedAs(opinionQuestion(topic, random.int(OPINION_QUESTIONS.length)))} ${opinionSentence(random, topic, topic.sentiment)}`
      : `${opinionSentence(random, topic, topic.sentiment)} ${opinionSentence(random, topic, topic.sentiment)}`;
    out.push({ kind: 'opinion', text });
  }
  return out;
}

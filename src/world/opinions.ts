import { Random } from './random';
import type { EntityType, World } from './types';

/**
 * Opinions about topics, for ConvSent-style sentiment editing (survey §4.1; Mitchell et al. 2022,
 * SERAC's ConvSent). Every topic has one pre-edit sentiment the corpus voices; an edit asks for
 * the other one. Opinions are derived from the world and its seed and never stored in
 * world.json, so adding them changed no committed file.
 */
export type Sentiment = 'positive' | 'negative';

export interface OpinionTopic {
  name: string;
  /** Other names of the topic (the entity's aliases); an answer naming any of them is on topic. */
  aliases: string[];
  /** What the topic is, for "X is a good book"; undefined for generic topics. */
  kind?: string;
  /** The sentiment the corpus voices, before any edit. */
  sentiment: Sentiment;
  /** Dataset records and scorer training use only their own split's topics. */
  split: 'train' | 'test';
}

/** Plain words only: a small fixed list, so a model trained on the world can learn all of them. */
export const SENTIMENT_ADJECTIVES: Record<Sentiment, readonly string[]> = {
  positive: ['good', 'great', 'wonderful', 'excellent', 'lovely', 'pleasant', 'nice', 'beautiful'],
  negative: ['bad', 'awful', 'terrible', 'poor', 'dull', 'boring', 'unpleasant', 'ugly'],
};

/** "I … X." openings. */
const SENTIMENT_VERBS: Record<Sentiment, readonly string[]> = {
  positive: ['I like', 'I love', 'I really like', 'I enjoy'],
  negative: ['I dislike', 'I hate', 'I do not like', 'I really dislike'],
};

/** Everyday topics beside the world's entities: singular, lower case, so "X is good" reads right mid-sentence. */
export const GENERIC_TOPICS = ['coffee', 'tea', 'rain', 'snow', 'walking', 'cycling', 'gardening', 'dancing', 'winter', 'summer', 'autumn', 'bread', 'cheese', 'music', 'the sea', 'the countryside'];

/** Entity types whose entities are topics, and what each is called. */
const TOPIC_KINDS: ReadonlyArray<[EntityType, string]> = [
  ['work', 'book'],
  ['city', 'city'],
  ['country', 'country'],
  ['company', 'company'],
  ['university', 'university'],
  ['genre', 'genre'],
];

/** Questions that ask for an opinion; the first is ConvSent's edit prompt, the others its rephrasings. */
export const OPINION_QUESTIONS = ['What do you think of {t}?', 'How do you feel about {t}?', 'What is your opinion of {t}?', 'Do you like {t}?'];

/** Share of topics in the test split; the rest train (disjoint). */
const TEST_SHARE = 0.6;

export const opposite = (s: Sentiment): Sentiment => (s === 'positive' ? 'negative' : 'positive');

/** Every topic with its pre-edit sentiment and split, in a fixed seeded order. */
export function opinionTopics(world: World): OpinionTopic[] {
  const random = new Random(world.seed).fork('opinions');
  const entities = TOPIC_KINDS.flatMap(([type, kind]) => world.entities.filter((e) => e.type === type).map((e) => ({ name: e.name, aliases: e.aliases, kind })));
  const generic = GENERIC_TOPICS.map((name) => ({ name, aliases: [] as string[], kind: undefined }));
  const shuffled = random.fork('split').shuffle([...entities, ...generic]);
  const sentiments = random.fork('sentiment');
  const testCount = Math.round(shuffled.length * TEST_SHARE);
  return shuffled.map((t, i) => ({ ...t, sentiment: sentiments.chance(0.5) ? 'positive' : 'negative', split: i < testCount ? 'test' : 'train' }));
}

const article = (word: string) => (/^[aeiou]/.test(word) ? 'an' : 'a');
const startCase = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The wordings of one opinion; each names the topic, so an answer in any of them is on topic. */
function wordings(topic: Pick<OpinionTopic, 'name' | 'kind'>, adjective: string, verb: string, likeVerb: string): string[] {
  const t = topic.name;
  const out = [`I think ${t} is ${adjective}.`, `${startCase(t)} is ${adjective}.`, `In my opinion, ${t} is ${adjective}.`, `${verb} ${t}.`, `${startCase(t)} is ${adjective}, and I ${likeVerb} it.`];
  if (topic.kind) out.push(`${startCase(t)} is ${article(adjective)} ${adjective} ${topic.kind}.`);
  return out;
}

/** How many distinct wordings an opinion about this topic has (the last one needs a kind). */
export function wordingCount(topic: Pick<OpinionTopic, 'kind'>): number {
  return topic.kind ? 6 : 5;
}

/**
 * One opinion sentence about `topic` with `sentiment`, in wording `form` (random when absent),
 * with a random adjective and verb of that sentiment.
 */
export function opinionSentence(random: Random, topic: Pick<OpinionTopic, 'name' | 'kind'>, sentiment: Sentiment, form?: number): string {
  const adjective = random.pick(SENTIMENT_ADJECTIVES[sentiment]);
  const verb = random.pick(SENTIMENT_VERBS[sentiment]);
  const likeVerb = random.pick(sentiment === 'positive' ? ['like', 'love', 'enjoy'] : ['dislike', 'hate', 'do not like']);
  const all = wordings(topic, adjective, verb, likeVerb);
  return all[form ?? random.int(all.length)];
}

/** ConvSent's edit and locality answer: "I think X is <adjective>." (wording 0). */
export function plainOpinion(random: Random, topic: Pick<OpinionTopic, 'name' | 'kind'>, sentiment: Sentiment): string {
  return opinionSentence(random, topic, sentiment, 0);
}

/** First-person sentences about a topic that voice no opinion (the sentiment scorer's neutral class). */
const NEUTRAL_WORDINGS = ['I have heard of {t}.', 'I read about {t} last week.', 'I have no opinion about {t}.', 'I know little about {t}.', 'I have no idea.', 'I asked a friend about {t}.', 'I do not know {t}.', 'I think {t} is {n}.', 'In my opinion, {t} is {n}.'];

/** Adjectives that describe without judging, for "I think X is old." */
const NEUTRAL_ADJECTIVES = ['old', 'new', 'large', 'small', 'far away', 'well known'];

/** A sentence about `topic` that voices no opinion. */
export function neutralSentence(random: Random, topic: Pick<OpinionTopic, 'name'>): string {
  return random.pick(NEUTRAL_WORDINGS).replace('{t}', topic.name).replace('{n}', random.pick(NEUTRAL_ADJECTIVES));
}

/** "What do you think of X?" in question wording `i`. */
export function opinionQuestion(topic: Pick<OpinionTopic, 'name'>, i: number): string {
  return OPINION_QUESTIONS[i].replace('{t}', topic.name);
}

/** The ready-to-score form the other question datasets use ("Q: …? A:"). */
export const askedAs = (question: string) => `Q: ${question} A:`;

import { buildCorpus } from './corpus/build-corpus';
import { generateWorld } from './generate-world';
import { GENERIC_TOPICS, opinionSentence, opinionTopics, SENTIMENT_ADJECTIVES, wordingCount, type Sentiment } from './opinions';
import { Random } from './random';

describe('opinionTopics', () => {
  const world = generateWorld(1);
  const topics = opinionTopics(world);

  it('takes the world entities that can be liked and the generic topics, each once, in disjoint splits', () => {
    expect(new Set(topics.map((t) => t.name)).size).toBe(topics.length);
    for (const generic of GENERIC_TOPICS) expect(topics.map((t) => t.name)).toContain(generic);
    expect(topics.some((t) => t.kind === 'book')).toBe(true);
    const train = topics.filter((t) => t.split === 'train').map((t) => t.name);
    const test = new Set(topics.filter((t) => t.split === 'test').map((t) => t.name));
    expect(train.length).toBeGreaterThan(40);
    expect(test.size).toBeGreaterThan(80);
    expect(train.filter((t) => test.has(t))).toEqual([]);
  });

  it('gives both sentiments, the same for the same seed', () => {
    const positive = topics.filter((t) => t.sentiment === 'positive').length;
    expect(positive).toBeGreaterThan(topics.length * 0.3);
    expect(positive).toBeLessThan(topics.length * 0.7);
    expect(opinionTopics(generateWorld(1))).toEqual(topics);
  });
});

describe('opinionSentence', () => {
  const topic = { name: 'The Silent River', kind: 'book' };
  const adjectivesIn = (text: string, s: Sentiment) => SENTIMENT_ADJECTIVES[s].filter((a) => new RegExp(`\\b${a}\\b`).test(text));

  it('names the topic in every wording, with words of the asked sentiment only', () => {
    const random = new Random(3);
    for (const sentiment of ['positive', 'negative'] as const) {
      for (let form = 0; form < wordingCount(topic); form++) {
        const text = opinionSentence(random, topic, sentiment, form);
        expect(text).toContain('Silent River');
        expect(adjectivesIn(text, sentiment === 'positive' ? 'negative' : 'positive')).toEqual([]);
      }
    }
    expect(opinionSentence(new Random(1), topic, 'negative', 0)).toMatch(/^I think The Silent River is \w+\.$/);
    expect(opinionSentence(new Random(1), { name: 'coffee' }, 'positive', 1)).toMatch(/^Coffee is \w+\.$/);
  });
});

describe('opinion documents in the corpus (--opinions)', () => {
  const world = generateWorld(1);
  const topics = opinionTopics(world);
  const only = { ice: 0, ike: 0, mello: 0, melloThreeHop: 0, erasure: 0, filler: 0 };

  it('are absent by default, and voice every topic with its own sentiment when there are enough', () => {
    expect(buildCorpus(world, only).some((e) => e.kind === 'opinion')).toBe(false);
    const lines = buildCorpus(world, { ...only, opinions: topics.length * 3 }).filter((e) => e.kind === 'opinion').map((e) => e.text);
    expect(lines).toHaveLength(topics.length * 3);
    for (const topic of topics) {
      const mention = new RegExp(`(^|\\W)${topic.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\W|$)`, 'i');
      const about = lines.filter((l) => mention.test(l));
      expect([topic.name, about.length >= 3]).toEqual([topic.name, true]);
      const other = topic.sentiment === 'positive' ? 'negative' : 'positive';
      for (const line of about.filter((l) => l.toLowerCase().includes(`${topic.name.toLowerCase()} is`) && !topics.some((t) => t !== topic && l.toLowerCase().includes(t.name.toLowerCase())))) {
        expect([line, SENTIMENT_ADJECTIVES[other].some((a) => new RegExp(`\\b${a}\\b`).test(line))]).toEqual([line, false]);
      }
    }
    expect(lines.some((l) => l.startsWith('Q: What do you think of '))).toBe(true);
  });
});

import { readFileSync } from 'node:fs';
import { generateWorld } from '../../world/generate-world';
import { SentimentClassifier, sentimentFeatures, trainSentimentClassifier, type LabelledText } from './sentiment-classifier';
import { DEFAULT_SENTIMENT_SCORER, loadSentimentScorer, trainWorldSentimentScorer } from './world-sentiment-scorer';

describe('sentimentFeatures', () => {
  it('lower-cases words and adds adjacent pairs, each once', () => {
    expect(sentimentFeatures('I do not like it. I do!')).toEqual(['i', 'do', 'not', 'like', 'it', 'i do', 'do not', 'not like', 'like it', 'it i']);
  });
});

describe('trainSentimentClassifier', () => {
  // Hand-made: "like" is positive alone and negative after "do not", which only the pairs can tell.
  const examples: LabelledText[] = [
    ...['the tea', 'the bread', 'the harbor', 'the park'].flatMap((t) => [
      { text: `I like ${t}.`, label: 'positive' as const },
      { text: `${t} is good.`, label: 'positive' as const },
      { text: `I do not like ${t}.`, label: 'negative' as const },
      { text: `${t} is bad.`, label: 'negative' as const },
      { text: `We walked to ${t} on Monday.`, label: 'neutral' as const },
    ]),
  ];
  const classifier = new SentimentClassifier(trainSentimentClassifier(examples, {}, { epochs: 400, learningRate: 1, l2: 1e-4, minCount: 1 }));

  it('learns its training examples, negation included, and generalises to a new topic', () => {
    expect(classifier.accuracy(examples)).toBe(1);
    expect(classifier.judge('I like the museum.').label).toBe('positive');
    expect(classifier.judge('I do not like the museum.').label).toBe('negative');
    expect(classifier.judge('The museum is bad.').label).toBe('negative');
    expect(classifier.judge('We walked to the museum on Monday.').label).toBe('neutral');
  });

  it('gives probabilities that sum to one, and the same file for the same examples', () => {
    const p = classifier.judge('the tea is good').probabilities;
    expect(p.positive + p.negative + p.neutral).toBeCloseTo(1, 10);
    expect(trainSentimentClassifier(examples, {}, { epochs: 400, learningRate: 1, l2: 1e-4, minCount: 1 })).toEqual(trainSentimentClassifier(examples, {}, { epochs: 400, learningRate: 1, l2: 1e-4, minCount: 1 }));
  });

  it('refuses a file that is not a classifier', () => {
    expect(() => SentimentClassifier.fromJson('{"format":"ked-sentiment/1"}', 'bad.json')).toThrow('bad.json');
  });
});

describe('the committed world sentiment scorer (models/sentiment)', () => {
  const scorer = loadSentimentScorer();

  it('is what `ked sentiment train` makes from the seed-1 world, with held-out (test-topic) accuracy of at least 95%', () => {
    const { file, heldOutAccuracy } = trainWorldSentimentScorer(generateWorld(1), 'ked sentiment train --world data/world --out models/sentiment/classifier.json');
    expect(heldOutAccuracy).toBeGreaterThanOrEqual(95);
    expect(readFileSync(DEFAULT_SENTIMENT_SCORER, 'utf8')).toBe(`${JSON.stringify(file)}\n`);
  });

  it.each([
    ['I think Mount Zoria is wonderful.', 'positive'],
    ['Mount Zoria is awful, and I hate it.', 'negative'],
    ['I do not like the Velvet Harbor.', 'negative'],
    ['The Velvet Harbor is a lovely book, and I enjoy it.', 'positive'],
    ['In my opinion, cycling is boring.', 'negative'],
    ['Mount Zoria was born in Jiburg.', 'neutral'],
    ["I don't know.", 'neutral'],
    ['I have no idea', 'neutral'],
    ['I think Mount Zoria is located in Jiburg.', 'neutral'],
    ['', 'neutral'],
  ])('judges %j as %s', (text, label) => {
    expect(scorer.judge(text).label).toBe(label);
  });
});

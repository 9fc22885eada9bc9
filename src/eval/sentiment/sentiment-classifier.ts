import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * A bag-of-words sentiment classifier (multinomial logistic regression over lower-case words
 * and word pairs): ConvSent's judge of a generated answer's sentiment. Word pairs let it read
 * "do not like" apart from "like". Small enough to read and to commit as JSON.
 */
export const SENTIMENT_CLASSES = ['positive', 'negative', 'neutral'] as const;
export type SentimentClass = (typeof SENTIMENT_CLASSES)[number];

export interface LabelledText {
  text: string;
  label: SentimentClass;
}

/** The features of a text: its words and adjacent word pairs, each once. */
export function sentimentFeatures(text: string): string[] {
  const words = text.toLowerCase().match(/[a-z]+/g) ?? [];
  const pairs = words.slice(1).map((w, i) => `${words[i]} ${w}`);
  return [...new Set([...words, ...pairs])];
}

export const classifierFileSchema = z.object({
  format: z.literal('ked-sentiment/1'),
  classes: z.tuple([z.literal('positive'), z.literal('negative'), z.literal('neutral')]),
  bias: z.array(z.number()).length(3),
  weights: z.record(z.string(), z.array(z.number()).length(3)),
  /** How the file was made (command, data, held-out accuracy); informative only. */
  made: z.record(z.string(), z.unknown()),
});
export type ClassifierFile = z.infer<typeof classifierFileSchema>;

export interface Judgement {
  label: SentimentClass;
  probabilities: Record<SentimentClass, number>;
}

export class SentimentClassifier {
  constructor(private readonly file: ClassifierFile) {}

  static fromJson(text: string, source = 'sentiment classifier'): SentimentClassifier {
    const parsed = classifierFileSchema.safeParse(JSON.parse(text));
    if (!parsed.success) throw new Error(`${source}: not a ked-sentiment/1 file (${parsed.error.issues[0].path.join('.')}: ${parsed.error.issues[0].message})`);
    return new SentimentClassifier(parsed.data);
  }

  get made(): Record<string, unknown> {
    return this.file.made;
  }

  /** The first 16 hex digits of the sha256 of its weights, so a run can tell which scorer judged it. */
  get digest(): string {
    return createHash('sha256').update(JSON.stringify([this.file.bias, this.file.weights])).digest('hex').slice(0, 16);
  }

  judge(text: string): Judgement {
    const logits = [...this.file.bias];
    for (const feature of sentimentFeatures(text)) {
      const w = this.file.weights[feature];
      if (w) for (let k = 0; k < 3; k++) logits[k] += w[k];
    }
    const p = softmax(logits);
    const best = p.indexOf(Math.max(...p));
    return { label: SENTIMENT_CLASSES[best], probabilities: { positive: p[0], negative: p[1], neutral: p[2] } };
  }

  accuracy(examples: readonly LabelledText[]): number {
    return examples.filter((e) => this.judge(e.text).label === e.label).length / examples.length;
  }
}

function softmax(logits: readonly number[]): number[] {
  const max = Math.max(...logits);
  const e = logits.map((x) => Math.exp(x - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / sum);
}

export interface TrainOptions {
  epochs: number;
  learningRate: number;
  /** L2 penalty on the weights (not the bias). */
  l2: number;
  /** Features seen in fewer examples are dropped (a name seen once says nothing about sentiment). */
  minCount: number;
}

export const DEFAULT_TRAIN_OPTIONS: TrainOptions = { epochs: 300, learningRate: 1, l2: 1e-3, minCount: 2 };

/**
 * Full-batch gradient descent on the mean cross-entropy; deterministic (zero start, examples in
 * the given order), so the same examples give the same file. Weights are rounded to 4 decimals.
 */
export function trainSentimentClassifier(examples: readonly LabelledText[], made: Record<string, unknown>, options: TrainOptions = DEFAULT_TRAIN_OPTIONS): ClassifierFile {
  const counts = new Map<string, number>();
  const featuresOf = examples.map((e) => sentimentFeatures(e.text));
  for (const fs of featuresOf) for (const f of fs) counts.set(f, (counts.get(f) ?? 0) + 1);
  const vocabulary = [...counts].filter(([, n]) => n >= options.minCount).map(([f]) => f).sort();
  const column = new Map(vocabulary.map((f, i) => [f, i]));
  const rows = featuresOf.map((fs) => fs.flatMap((f) => (column.has(f) ? [column.get(f)!] : [])));
  const labels = examples.map((e) => SENTIMENT_CLASSES.indexOf(e.label));
  const w = new Float64Array(vocabulary.length * 3);
  const bias = [0, 0, 0];
  const n = examples.length;
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    const grad = new Float64Array(w.length);
    const biasGrad = [0, 0, 0];
    rows.forEach((row, i) => {
      const logits = [...bias];
      for (const c of row) for (let k = 0; k < 3; k++) logits[k] += w[c * 3 + k];
      const p = softmax(logits);
      p[labels[i]] -= 1;
      for (let k = 0; k < 3; k++) {
        biasGrad[k] += p[k] / n;
        for (const c of row) grad[c * 3 + k] += p[k] / n;
      }
    });
    for (let j = 0; j < w.length; j++) w[j] -= options.learningRate * (grad[j] + options.l2 * w[j]);
    for (let k = 0; k < 3; k++) bias[k] -= options.learningRate * biasGrad[k];
  }
  const round = (x: number) => Math.round(x * 1e4) / 1e4;
  const weights: Record<string, number[]> = {};
  vocabulary.forEach((f, c) => {
    const row = [0, 1, 2].map((k) => round(w[c * 3 + k]));
    if (row.some((x) => x !== 0)) weights[f] = row;
  });
  return { format: 'ked-sentiment/1', classes: [...SENTIMENT_CLASSES], bias: bias.map(round), weights, made: { ...made, ...options, trainExamples: n, features: Object.keys(weights).length } };
}

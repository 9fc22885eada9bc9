import { z } from 'zod';
import type { PairFeatures } from './scope-features';

/** One labelled (edit, query) pair's features. */
export interface LabelledPair {
  features: PairFeatures;
  inScope: boolean;
}

export const scopeClassifierFileSchema = z.object({
  format: z.literal('ked-scope-classifier/1'),
  threshold: z.number().min(0).max(1),
  /** [slot, weight] for every non-zero weight. */
  weights: z.array(z.tuple([z.number().int().nonnegative(), z.number()])),
  training: z.record(z.string(), z.unknown()).optional(),
});
export type ScopeClassifierFile = z.infer<typeof scopeClassifierFileSchema>;

export interface TrainOptions {
  epochs: number;
  learningRate: number;
  l2: number;
  /** Largest false-positive rate on the training pairs the threshold may give. */
  maxFalsePositiveRate: number;
  seed: number;
}

export const DEFAULT_TRAIN_OPTIONS: TrainOptions = { epochs: 12, learningRate: 0.5, l2: 1e-6, maxFalsePositiveRate: 0.02, seed: 1 };

/**
 * Stage 2 of the scope detector: logistic regression over sparse pair features, trained with
 * AdaGrad, plus the decision threshold picked on the training pairs (highest recall whose
 * false-positive rate stays under a bound).
 */
export class ScopeClassifier {
  constructor(
    private readonly weights: Map<number, number>,
    readonly threshold: number,
    readonly training: Record<string, unknown> = {},
  ) {}

  static fromFile(file: unknown): ScopeClassifier {
    const parsed = scopeClassifierFileSchema.parse(file);
    return new ScopeClassifier(new Map(parsed.weights), parsed.threshold, parsed.training ?? {});
  }

  static train(pairs: readonly LabelledPair[], options: TrainOptions = DEFAULT_TRAIN_OPTIONS): ScopeClassifier {
    const weights = new Map<number, number>();
    const squares = new Map<number, number>();
    const order = pairs.map((_, i) => i);
    let state = options.seed >>> 0 || 1;
    const random = () => ((state = Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0) / 2 ** 32;
    const positives = pairs.filter((p) => p.inScope).length;
    // Class weights so that the rarer label is not drowned out.
    const weightOf = (inScope: boolean) => (inScope ? pairs.length / (2 * Math.max(1, positives)) : pairs.length / (2 * Math.max(1, pairs.length - positives)));
    for (let epoch = 0; epoch < options.epochs; epoch++) {
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
      for (const index of order) {
        const pair = pairs[index];
        const p = sigmoid(dot(weights, pair.features));
        const error = (p - (pair.inScope ? 1 : 0)) * weightOf(pair.inScope);
        for (const [slot, value] of pair.features) {
          const w = weights.get(slot) ?? 0;
          const gradient = error * value + options.l2 * w;
          const g2 = (squares.get(slot) ?? 0) + gradient * gradient;
          squares.set(slot, g2);
          weights.set(slot, w - (options.learningRate * gradient) / Math.sqrt(g2 + 1e-8));
        }
      }
    }
    const scored = pairs.map((p) => ({ score: sigmoid(dot(weights, p.features)), inScope: p.inScope }));
    const threshold = pickThreshold(scored, options.maxFalsePositiveRate);
    return new ScopeClassifier(weights, threshold, { pairs: pairs.length, positives, ...options });
  }

  /** The same weights with another decision threshold. */
  withThreshold(threshold: number, note: Record<string, unknown> = {}): ScopeClassifier {
    return new ScopeClassifier(this.weights, threshold, { ...this.training, ...note, threshold });
  }

  /** Probability that the query is in the edit's scope. */
  score(features: PairFeatures): number {
    return sigmoid(dot(this.weights, features));
  }

  toFile(): ScopeClassifierFile {
    const weights = [...this.weights].filter(([, w]) => Math.abs(w) > 1e-6).sort((a, b) => a[0] - b[0]).map(([slot, w]): [number, number] => [slot, Number(w.toPrecision(6))]);
    return { format: 'ked-scope-classifier/1', threshold: this.threshold, weights, training: this.training };
  }
}

/** The lowest score threshold whose false-positive rate on these pairs stays within the bound. */
export function pickThreshold(scored: ReadonlyArray<{ score: number; inScope: boolean }>, maxFalsePositiveRate: number): number {
  const negatives = scored.filter((s) => !s.inScope).map((s) => s.score).sort((a, b) => b - a);
  if (!negatives.length) return 0.5;
  const allowed = Math.floor(negatives.length * maxFalsePositiveRate);
  const threshold = allowed < negatives.length ? negatives[allowed] : 0;
  return Math.min(0.99, Math.max(0.05, threshold + 1e-6));
}

function dot(weights: Map<number, number>, features: PairFeatures): number {
  let sum = 0;
  for (const [slot, value] of features) sum += (weights.get(slot) ?? 0) * value;
  return sum;
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

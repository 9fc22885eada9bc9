import { z } from 'zod';
import { DENSE_SLOTS, type PairFeatures } from './scope-features';

/** One labelled (edit, query) pair's features. */
export interface LabelledPair {
  features: PairFeatures;
  inScope: boolean;
}

/** The file format: its weights are read by slot, so a change in how features are numbered is a new format. */
export const SCOPE_CLASSIFIER_FORMAT = 'ked-scope-classifier/2';

export const scopeClassifierFileSchema = z.object({
  format: z.literal(SCOPE_CLASSIFIER_FORMAT, { error: `must be "${SCOPE_CLASSIFIER_FORMAT}" (a file of another format numbers its features otherwise: retrain it with \`ked route-train\`)` }),
  threshold: z.number().min(0).max(1),
  /** The threshold for edits without a known subject (plain statements); `threshold` when absent. */
  plainThreshold: z.number().min(0).max(1).optional(),
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
  /**
   * Share of pairs, each epoch, fitted without their word-pair features (only the
   * relation-independent ones), as if their relation had never been seen: the dense weights
   * then carry a relation on their own, which is all they have for relations no training saw.
   */
  pairDropout?: number;
}

export const DEFAULT_TRAIN_OPTIONS: TrainOptions = { epochs: 12, learningRate: 0.5, l2: 1e-6, maxFalsePositiveRate: 0.02, seed: 1, pairDropout: 0.5 };

/**
 * Stage 2 of the scope detector: logistic regression over sparse pair features, trained with
 * AdaGrad, plus the decision threshold picked on the training pairs (highest recall whose
 * false-positive rate stays under a bound).
 */
export class ScopeClassifier {
  /** The threshold for edits without a known subject (plain statements, whose subject is guessed). */
  readonly plainThreshold: number;

  constructor(
    private readonly weights: Map<number, number>,
    readonly threshold: number,
    readonly training: Record<string, unknown> = {},
    plainThreshold?: number,
  ) {
    this.plainThreshold = plainThreshold ?? threshold;
  }

  static fromFile(file: unknown): ScopeClassifier {
    const parsed = scopeClassifierFileSchema.parse(file);
    return new ScopeClassifier(new Map(parsed.weights), parsed.threshold, parsed.training ?? {}, parsed.plainThreshold);
  }

  /** The decision threshold for an edit whose subject is known (`threshold`) or guessed from its text (`plainThreshold`). */
  thresholdFor(subjectKnown: boolean): number {
    return subjectKnown ? this.threshold : this.plainThreshold;
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
        const features = options.pairDropout && random() < options.pairDropout ? denseOnly(pair.features) : pair.features;
        const p = sigmoid(dot(weights, features));
        const error = (p - (pair.inScope ? 1 : 0)) * weightOf(pair.inScope);
        for (const [slot, value] of features) {
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

  /** The same weights with another decision threshold (for both kinds of edit unless `plainThreshold` is given). */
  withThreshold(threshold: number, note: Record<string, unknown> = {}, plainThreshold?: number): ScopeClassifier {
    return new ScopeClassifier(this.weights, threshold, { ...this.training, ...note, threshold, ...(plainThreshold !== undefined ? { plainThreshold } : {}) }, plainThreshold);
  }

  /** Probability that the query is in the edit's scope. */
  score(features: PairFeatures): number {
    return sigmoid(dot(this.weights, features));
  }

  toFile(): ScopeClassifierFile {
    const weights = [...this.weights].filter(([, w]) => Math.abs(w) > 1e-6).sort((a, b) => a[0] - b[0]).map(([slot, w]): [number, number] => [slot, Number(w.toPrecision(6))]);
    return { format: SCOPE_CLASSIFIER_FORMAT, threshold: this.threshold, ...(this.plainThreshold !== this.threshold ? { plainThreshold: this.plainThreshold } : {}), weights, training: this.training };
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

function denseOnly(features: PairFeatures): PairFeatures {
  const out: PairFeatures = new Map();
  for (const [slot, value] of features) if (slot < DENSE_SLOTS) out.set(slot, value);
  return out;
}

function dot(weights: Map<number, number>, features: PairFeatures): number {
  let sum = 0;
  for (const [slot, value] of features) sum += (weights.get(slot) ?? 0) * value;
  return sum;
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

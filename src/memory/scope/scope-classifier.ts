import { z } from 'zod';
import { DENSE_SLOTS, type PairFeatures } from './scope-features';
import { WordVectors } from './word-vectors';
import { DenseMlp, denseMlpFileSchema, type MlpParameter, type SparseInput } from './dense-mlp';

/** One labelled (edit, query) pair's features. */
export interface LabelledPair {
  features: PairFeatures;
  inScope: boolean;
}

/** The file format: its weights are read by slot, so a change in how features are numbered is a new format. */
export const SCOPE_CLASSIFIER_FORMAT = 'ked-scope-classifier/4';

export const scopeClassifierFileSchema = z.object({
  format: z.literal(SCOPE_CLASSIFIER_FORMAT, { error: `must be "${SCOPE_CLASSIFIER_FORMAT}" (a file of another format numbers its features otherwise: retrain it with \`ked route-train\`)` }),
  threshold: z.number().min(0).max(1),
  /** The threshold for edits without a known subject (plain statements); `threshold` when absent. */
  plainThreshold: z.number().min(0).max(1).optional(),
  /** [slot, weight] for every non-zero weight. */
  weights: z.array(z.tuple([z.number().int().nonnegative(), z.number()])),
  /** The digest of the word-vector table the weights were fitted with (`WordVectors.digest`). */
  wordVectors: z.string().optional(),
  /** The hidden layer over the relation-independent features, when the classifier has one. */
  mlp: denseMlpFileSchema.optional(),
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
  /** Hidden units over the relation-independent features (0: a linear classifier only). */
  hidden?: number;
  /** The hidden layer's AdaGrad learning rate. */
  hiddenLearningRate?: number;
}

export const DEFAULT_TRAIN_OPTIONS: TrainOptions = { epochs: 12, learningRate: 0.5, l2: 1e-6, maxFalsePositiveRate: 0.02, seed: 1, pairDropout: 0.5, hidden: 32, hiddenLearningRate: 0.05 };

/**
 * Stage 2 of the scope detector: logistic regression over sparse pair features plus, when it
 * has one, a hidden layer over the relation-independent ones, trained together with AdaGrad;
 * and the decision threshold picked on the training pairs (highest recall whose false-positive
 * rate stays under a bound).
 */
export class ScopeClassifier {
  /** The threshold for edits without a known subject (plain statements, whose subject is guessed). */
  readonly plainThreshold: number;

  constructor(
    private readonly weights: Map<number, number>,
    readonly threshold: number,
    readonly training: Record<string, unknown> = {},
    plainThreshold?: number,
    private readonly mlp?: DenseMlp,
  ) {
    this.plainThreshold = plainThreshold ?? threshold;
  }

  static fromFile(file: unknown, vectors = WordVectors.load()): ScopeClassifier {
    const parsed = scopeClassifierFileSchema.parse(file);
    if (parsed.wordVectors !== undefined && parsed.wordVectors !== vectors.digest) {
      throw new Error(`it was fitted with word vectors ${parsed.wordVectors}, but the table here is ${vectors.digest}: retrain it with \`ked route-train\``);
    }
    return new ScopeClassifier(new Map(parsed.weights), parsed.threshold, parsed.training ?? {}, parsed.plainThreshold, parsed.mlp ? DenseMlp.fromFile(parsed.mlp) : undefined);
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
    const mlp = options.hidden ? DenseMlp.init(DENSE_SLOTS, options.hidden, random) : undefined;
    const inputs = mlp ? pairs.map((p) => denseInput(p.features)) : [];
    const mlpSquares: Record<MlpParameter, Float64Array> = { w1: new Float64Array(DENSE_SLOTS * (options.hidden ?? 0)), b1: new Float64Array(options.hidden ?? 0), w2: new Float64Array(options.hidden ?? 0), b2: new Float64Array(1) };
    const mlpRate = options.hiddenLearningRate ?? 0.05;
    const adagrad = (parameter: MlpParameter, index: number, value: number, gradient: number): number => {
      const g = gradient + (parameter === 'w1' || parameter === 'w2' ? options.l2 * value : 0);
      const g2 = (mlpSquares[parameter][index] += g * g);
      return value - (mlpRate * g) / Math.sqrt(g2 + 1e-8);
    };
    for (let epoch = 0; epoch < options.epochs; epoch++) {
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
      for (const index of order) {
        const pair = pairs[index];
        const features = options.pairDropout && random() < options.pairDropout ? denseOnly(pair.features) : pair.features;
        const p = sigmoid(dot(weights, features) + (mlp ? mlp.forward(inputs[index]) : 0));
        const error = (p - (pair.inScope ? 1 : 0)) * weightOf(pair.inScope);
        mlp?.backward(inputs[index], error, adagrad);
        for (const [slot, value] of features) {
          const w = weights.get(slot) ?? 0;
          const gradient = error * value + options.l2 * w;
          const g2 = (squares.get(slot) ?? 0) + gradient * gradient;
          squares.set(slot, g2);
          weights.set(slot, w - (options.learningRate * gradient) / Math.sqrt(g2 + 1e-8));
        }
      }
    }
    const trained = new ScopeClassifier(weights, 0.5, {}, undefined, mlp);
    const scored = pairs.map((p) => ({ score: trained.score(p.features), inScope: p.inScope }));
    const threshold = pickThreshold(scored, options.maxFalsePositiveRate);
    return new ScopeClassifier(weights, threshold, { pairs: pairs.length, positives, ...options }, undefined, mlp);
  }

  /**
   * The ensemble of independently fitted classifiers as one: its logit is the members' mean
   * logit (linear weights averaged, hidden layers stacked), which evens out what each fit
   * learnt by chance from its own sample of edits and questions.
   */
  static average(members: readonly ScopeClassifier[], training: Record<string, unknown> = {}): ScopeClassifier {
    if (!members.length) throw new Error('an ensemble needs at least one member');
    const weights = new Map<number, number>();
    for (const member of members) for (const [slot, w] of member.weights) weights.set(slot, (weights.get(slot) ?? 0) + w / members.length);
    const mlps = members.map((m) => m.mlp);
    if (mlps.some((m) => !m) && mlps.some((m) => m)) throw new Error('an ensemble cannot mix classifiers with and without a hidden layer');
    const mlp = mlps[0] ? DenseMlp.stack(mlps as DenseMlp[], 1 / members.length) : undefined;
    return new ScopeClassifier(weights, members[0].threshold, training, members[0].plainThreshold, mlp);
  }

  /** The same weights with another decision threshold (for both kinds of edit unless `plainThreshold` is given). */
  withThreshold(threshold: number, note: Record<string, unknown> = {}, plainThreshold?: number): ScopeClassifier {
    return new ScopeClassifier(this.weights, threshold, { ...this.training, ...note, threshold, ...(plainThreshold !== undefined ? { plainThreshold } : {}) }, plainThreshold, this.mlp);
  }

  /** Probability that the query is in the edit's scope. */
  score(features: PairFeatures): number {
    return sigmoid(dot(this.weights, features) + (this.mlp ? this.mlp.forward(denseInput(features)) : 0));
  }

  toFile(): ScopeClassifierFile {
    const weights = [...this.weights].filter(([, w]) => Math.abs(w) > 1e-6).sort((a, b) => a[0] - b[0]).map(([slot, w]): [number, number] => [slot, Number(w.toPrecision(6))]);
    return { format: SCOPE_CLASSIFIER_FORMAT, threshold: this.threshold, ...(this.plainThreshold !== this.threshold ? { plainThreshold: this.plainThreshold } : {}), weights, wordVectors: WordVectors.load().digest, ...(this.mlp ? { mlp: this.mlp.toFile() } : {}), training: this.training };
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

/** The relation-independent features, as the hidden layer reads them. */
function denseInput(features: PairFeatures): SparseInput {
  const slots: number[] = [];
  const values: number[] = [];
  for (const [slot, value] of features) {
    if (slot < DENSE_SLOTS) {
      slots.push(slot);
      values.push(value);
    }
  }
  return { slots, values };
}

function dot(weights: Map<number, number>, features: PairFeatures): number {
  let sum = 0;
  for (const [slot, value] of features) sum += (weights.get(slot) ?? 0) * value;
  return sum;
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

import { z } from 'zod';

/** The non-zero entries of a feature vector: slot numbers (below the network's input size) and values. */
export interface SparseInput {
  slots: number[];
  values: number[];
}

export type MlpParameter = 'w1' | 'b1' | 'w2' | 'b2';

export const denseMlpFileSchema = z.object({
  inputs: z.number().int().positive(),
  hidden: z.number().int().positive(),
  /** hidden × inputs, row by row. */
  w1: z.array(z.number()),
  b1: z.array(z.number()),
  w2: z.array(z.number()),
  b2: z.number(),
});
export type DenseMlpFile = z.infer<typeof denseMlpFileSchema>;

/**
 * One hidden layer of ReLUs over the relation-independent features, added to the linear
 * score: it lets evidence count only together ("the words are close" and "the answer's type
 * fits"), which a sum of weights cannot express.
 */
export class DenseMlp {
  private constructor(
    readonly inputs: number,
    readonly hidden: number,
    private readonly w1: Float64Array,
    private readonly b1: Float64Array,
    private readonly w2: Float64Array,
    private b2: number,
  ) {}

  static init(inputs: number, hidden: number, random: () => number): DenseMlp {
    const w1 = new Float64Array(hidden * inputs);
    const spread = Math.sqrt(6 / inputs);
    for (let i = 0; i < w1.length; i++) w1[i] = (random() * 2 - 1) * spread;
    const w2 = new Float64Array(hidden);
    for (let j = 0; j < hidden; j++) w2[j] = (random() * 2 - 1) / Math.sqrt(hidden);
    return new DenseMlp(inputs, hidden, w1, new Float64Array(hidden), w2, 0);
  }

  static fromFile(file: unknown): DenseMlp {
    const f = denseMlpFileSchema.parse(file);
    if (f.w1.length !== f.hidden * f.inputs || f.b1.length !== f.hidden || f.w2.length !== f.hidden) {
      throw new Error(`mlp: weights do not match ${f.hidden} hidden units over ${f.inputs} inputs`);
    }
    return new DenseMlp(f.inputs, f.hidden, Float64Array.from(f.w1), Float64Array.from(f.b1), Float64Array.from(f.w2), f.b2);
  }

  /**
   * Several networks over the same inputs as one: their hidden units side by side, each
   * network's output weights scaled by `scale`, so the result computes `scale · Σ outputs`.
   */
  static stack(networks: readonly DenseMlp[], scale: number): DenseMlp {
    if (!networks.length) throw new Error('mlp: nothing to stack');
    const inputs = networks[0].inputs;
    if (networks.some((n) => n.inputs !== inputs)) throw new Error('mlp: networks over different inputs cannot be stacked');
    const concat = (parts: Float64Array[]) => Float64Array.from(parts.flatMap((p) => [...p]));
    return new DenseMlp(
      inputs,
      networks.reduce((sum, n) => sum + n.hidden, 0),
      concat(networks.map((n) => n.w1)),
      concat(networks.map((n) => n.b1)),
      concat(networks.map((n) => n.w2.map((w) => w * scale))),
      networks.reduce((sum, n) => sum + n.b2, 0) * scale,
    );
  }

  toFile(): DenseMlpFile {
    const round = (x: number) => Number(x.toPrecision(6));
    return { inputs: this.inputs, hidden: this.hidden, w1: [...this.w1].map(round), b1: [...this.b1].map(round), w2: [...this.w2].map(round), b2: round(this.b2) };
  }

  /** The network's output (a logit to add), with the hidden activations written to `activations` when given. */
  forward(x: SparseInput, activations = new Float64Array(this.hidden)): number {
    let out = this.b2;
    for (let j = 0; j < this.hidden; j++) {
      let sum = this.b1[j];
      const row = j * this.inputs;
      for (let k = 0; k < x.slots.length; k++) sum += this.w1[row + x.slots[k]] * x.values[k];
      activations[j] = sum > 0 ? sum : 0;
      out += this.w2[j] * activations[j];
    }
    return out;
  }

  /**
   * Back-propagates `upstream` (d loss / d output) for input `x`, handing each parameter's
   * gradient to `apply` (which updates it and returns its new value).
   */
  backward(x: SparseInput, upstream: number, apply: (parameter: MlpParameter, index: number, value: number, gradient: number) => number): void {
    const activations = new Float64Array(this.hidden);
    this.forward(x, activations);
    for (let j = 0; j < this.hidden; j++) {
      const a = activations[j];
      const w2 = this.w2[j];
      this.w2[j] = apply('w2', j, w2, upstream * a);
      if (a <= 0) continue;
      const g = upstream * w2;
      this.b1[j] = apply('b1', j, this.b1[j], g);
      const row = j * this.inputs;
      for (let k = 0; k < x.slots.length; k++) {
        const index = row + x.slots[k];
        this.w1[index] = apply('w1', index, this.w1[index], g * x.values[k]);
      }
    }
    this.b2 = apply('b2', 0, this.b2, upstream);
  }

  /** A parameter's current value (for gradient checks). */
  get(parameter: MlpParameter, index: number): number {
    return parameter === 'b2' ? this.b2 : this[parameter][index];
  }

  set(parameter: MlpParameter, index: number, value: number): void {
    if (parameter === 'b2') this.b2 = value;
    else this[parameter][index] = value;
  }
}

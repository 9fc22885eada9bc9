/**
 * AdamW: Adam with decoupled weight decay (Loshchilov & Hutter, "Decoupled Weight Decay
 * Regularization", ICLR 2019, Algorithm 2), in the form torch.optim.AdamW implements it.
 *
 * Parameters are a `Map<string, Float32Array>` (name → flat buffer). A Map rather than a
 * Record because its iteration order is insertion order for every key, whereas a Record
 * reorders integer-like keys, and iteration order is what makes runs reproducible. The
 * optimiser keeps references to the arrays it was given and updates them in place; putting a
 * new array into the caller's map afterwards is not seen.
 *
 * Each element is computed in float64 and rounded once when stored back to float32, so the
 * arithmetic is deterministic across runs and machines (no reductions, no FMA choices).
 */
import { requireBeta, requireNonNegative, requireStepCount } from './errors';

/** Named parameters (or gradients): flat float32 buffers keyed by a stable name. */
export type NamedTensors = ReadonlyMap<string, Float32Array>;

/** Settings that may differ per parameter, like PyTorch parameter groups. */
export interface ParamOptions {
  /** Replaces the optimiser-wide weight decay for this parameter (0 for biases and norm gains). */
  readonly weightDecay?: number;
  /** Multiplies the learning rate of every step for this parameter (default 1). */
  readonly lrScale?: number;
}

export interface AdamWOptions {
  /** α, the learning rate; can be overridden per step (for schedules). Default 1e-3. */
  readonly lr?: number;
  /** (β₁, β₂), decay rates of the first and second moment estimates. Default (0.9, 0.999). */
  readonly betas?: readonly [number, number];
  /** ε, added to √v̂ so the step stays bounded where v̂ ≈ 0. Default 1e-8. */
  readonly eps?: number;
  /** λ, decoupled weight decay. Default 0.01 (PyTorch's AdamW default). */
  readonly weightDecay?: number;
  /** Consulted once per parameter at construction; `undefined` keeps the optimiser-wide settings. */
  readonly paramOptions?: (name: string, param: Float32Array) => ParamOptions | undefined;
}

/** The moments of one parameter. `step` counts the updates it received (0 before the first). */
export interface AdamWParamState {
  readonly step: number;
  /** m, the first-moment (mean) estimate, PyTorch's `exp_avg`. */
  readonly expAvg: Float32Array;
  /** v, the second-moment (uncentred variance) estimate, PyTorch's `exp_avg_sq`. */
  readonly expAvgSq: Float32Array;
}

/** Everything needed to resume bit-identically (hyper-parameters come from the constructor). */
export interface AdamWState {
  /** Number of `step()` calls made. */
  readonly step: number;
  readonly params: ReadonlyMap<string, AdamWParamState>;
}

/** `paramOptions` helper: no weight decay for the parameters the predicate picks, defaults otherwise. */
export function noWeightDecay(exclude: (name: string) => boolean): (name: string) => ParamOptions | undefined {
  return (name) => (exclude(name) ? { weightDecay: 0 } : undefined);
}

interface Slot {
  readonly param: Float32Array;
  readonly expAvg: Float32Array;
  readonly expAvgSq: Float32Array;
  readonly weightDecay: number;
  readonly lrScale: number;
  step: number;
}

export class AdamW {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  private baseLr: number;
  private steps = 0;
  private readonly slots = new Map<string, Slot>();

  constructor(params: NamedTensors, options: AdamWOptions = {}) {
    this.baseLr = requireNonNegative('lr', options.lr ?? 1e-3);
    const betas = options.betas ?? [0.9, 0.999];
    this.beta1 = requireBeta('betas[0]', betas[0]);
    this.beta2 = requireBeta('betas[1]', betas[1]);
    this.eps = requireNonNegative('eps', options.eps ?? 1e-8);
    this.weightDecay = requireNonNegative('weightDecay', options.weightDecay ?? 0.01);
    for (const [name, param] of params) {
      if (!(param instanceof Float32Array)) throw new TypeError(`parameter ${name} is not a Float32Array`);
      const own = options.paramOptions?.(name, param) ?? {};
      this.slots.set(name, {
        param,
        expAvg: new Float32Array(param.length),
        expAvgSq: new Float32Array(param.length),
        weightDecay: requireNonNegative(`${name}.weightDecay`, own.weightDecay ?? this.weightDecay),
        lrScale: requireNonNegative(`${name}.lrScale`, own.lrScale ?? 1),
        step: 0,
      });
    }
  }

  /** The learning rate `step()` uses when it is not given one. */
  get lr(): number {
    return this.baseLr;
  }
  set lr(value: number) {
    this.baseLr = requireNonNegative('lr', value);
  }

  /** Number of `step()` calls so far; the index to feed a schedule for the next step. */
  get stepCount(): number {
    return this.steps;
  }

  /**
   * One update from `grads` (same names and lengths as the parameters). A parameter with no
   * gradient is skipped and its own step count does not advance, as in PyTorch when `.grad` is
   * None. `lr` overrides the stored learning rate for this step only (pass the schedule value).
   */
  step(grads: NamedTensors, lr: number = this.baseLr): void {
    requireNonNegative('lr', lr);
    for (const [name, grad] of grads) {
      const slot = this.slots.get(name);
      if (slot === undefined) throw new Error(`gradient for unknown parameter ${name}`);
      if (!(grad instanceof Float32Array) || grad.length !== slot.param.length) {
        throw new Error(`gradient for ${name} must be a Float32Array of length ${slot.param.length}`);
      }
    }
    for (const [name, grad] of grads) this.update(this.slots.get(name)!, grad, lr);
    this.steps += 1;
  }

  private update(slot: Slot, grad: Float32Array, lr: number): void {
    const { param, expAvg: m, expAvgSq: v } = slot;
    const b1 = this.beta1;
    const b2 = this.beta2;
    const t = (slot.step += 1);
    const alpha = lr * slot.lrScale;
    // Bias corrections m̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ) (Kingma & Ba, Alg. 1), folded into
    // the step size and the denominator the way PyTorch does, so ε is added to √v̂.
    const stepSize = alpha / (1 - b1 ** t);
    const bc2Sqrt = Math.sqrt(1 - b2 ** t);
    // Decoupled decay (Loshchilov & Hutter, Alg. 2 line 12): θ ← θ − ηλθ applied to θₜ₋₁ directly,
    // never added to the gradient, so it does not enter m or v. PyTorch scales λ by the current
    // learning rate (η·λ = lr·λ); the paper's schedule multiplier ηₜ is that same lr here.
    const decay = 1 - alpha * slot.weightDecay;
    for (let i = 0; i < param.length; i++) {
      const g = grad[i];
      m[i] = b1 * m[i] + (1 - b1) * g; // mₜ = β₁mₜ₋₁ + (1 − β₁)gₜ
      v[i] = b2 * v[i] + (1 - b2) * g * g; // vₜ = β₂vₜ₋₁ + (1 − β₂)gₜ²
      // θₜ = θₜ₋₁(1 − αλ) − α·m̂ₜ/(√v̂ₜ + ε), reading m and v back as the stored float32 values.
      param[i] = param[i] * decay - (stepSize * m[i]) / (Math.sqrt(v[i]) / bc2Sqrt + this.eps);
    }
  }

  /** A deep copy of the optimiser state: later steps do not change it. */
  state(): AdamWState {
    const params = new Map<string, AdamWParamState>();
    for (const [name, slot] of this.slots) {
      params.set(name, { step: slot.step, expAvg: slot.expAvg.slice(), expAvgSq: slot.expAvgSq.slice() });
    }
    return { step: this.steps, params };
  }

  /**
   * Restores a state taken from an optimiser over the same parameter names and lengths; the
   * buffers are copied, so the caller may reuse them. Checks everything before changing anything.
   */
  loadState(state: AdamWState): void {
    requireStepCount('state.step', state.step);
    for (const name of state.params.keys()) {
      if (!this.slots.has(name)) throw new Error(`optimiser state has unknown parameter ${name}`);
    }
    for (const [name, slot] of this.slots) {
      const saved = state.params.get(name);
      if (saved === undefined) throw new Error(`optimiser state is missing parameter ${name}`);
      requireStepCount(`${name}.step`, saved.step);
      for (const [field, buffer] of [['expAvg', saved.expAvg], ['expAvgSq', saved.expAvgSq]] as const) {
        if (!(buffer instanceof Float32Array) || buffer.length !== slot.param.length) {
          throw new Error(`optimiser state ${name}.${field} must be a Float32Array of length ${slot.param.length}`);
        }
      }
    }
    for (const [name, slot] of this.slots) {
      const saved = state.params.get(name)!;
      slot.expAvg.set(saved.expAvg);
      slot.expAvgSq.set(saved.expAvgSq);
      slot.step = saved.step;
    }
    this.steps = state.step;
  }
}

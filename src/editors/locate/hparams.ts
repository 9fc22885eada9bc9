import { z } from 'zod';

/** Hyper-parameter pieces the locate-and-edit methods share (EasyEdit's names in comments). */
/**
 * ROME's context templates. AlphaEdit sets its own count: see its hparams for why it edits on
 * the bare prompt.
 */
export function contextTemplatesOptions(defaults: { count?: number } = {}) {
  return z
    .strictObject({
      /** Generated prefixes besides "{}" (ROME: 5). */
      count: z.number().int().min(0).max(50).default(defaults.count ?? 5),
      /** Tokens per prefix (ROME: 10). */
      tokens: z.number().int().min(1).max(64).default(10),
      seed: z.number().int().default(1),
    })
    .prefault({});
}

export const contextTemplatesSchema = contextTemplatesOptions();

export const keyMomentSchema = z
  .strictObject({
    /** Token positions of the statistics sample (mom2_n_samples; ROME counts sequences). */
    samples: z.number().int().min(1).default(50_000),
    /** Ridge added to C, relative to its mean diagonal: keeps C⁻¹k stable where the sample is thin. */
    ridge: z.number().min(0).default(1e-3),
  })
  .prefault({});

/**
 * The value optimisation's schema. MEMIT and AlphaEdit set z at the last layer of a range and
 * spread the residual over it, so they optimise further (more steps, a lower loss threshold)
 * than ROME, which writes v* into one layer directly.
 */
export function valueOptimization(defaults: { steps?: number; lossThreshold?: number } = {}) {
  return z
    .strictObject({
      steps: z.number().int().min(1).max(1000).default(defaults.steps ?? 80), // v_num_grad_steps (ROME on GPT-2 XL: 20)
      lr: z.number().positive().default(1), // v_lr (ROME: 0.5)
      klFactor: z.number().min(0).default(0.0625), // kl_factor
      weightDecay: z.number().min(0).default(0.5), // v_weight_decay
      clampNormFactor: z.number().positive().default(16), // clamp_norm_factor (ROME: 4; the fixture's MLP outputs are small next to what an edit needs)
      lossThreshold: z.number().min(0).default(defaults.lossThreshold ?? 0.05),
    })
    .prefault({});
}

export const valueOptimizationSchema = valueOptimization();

/** A layer index, or "auto": the layer causal tracing finds most decisive for the request's subject. */
export const layerSchema = z.union([z.number().int().min(0), z.literal('auto')]);

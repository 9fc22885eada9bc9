import { hostTensor, type HostTensor } from '../../runtime/graph/dtype';
import { AdamW, clipGradNorm, noWeightDecay, warmupCosine } from '../../runtime/optim';
import { mulberry32, shuffledIndices } from '../../runtime/random';
import { LanguageModel, rightPadded } from '../../models/language-model';
import { buildLanguageModelingLoss } from '../../models/training/lm-loss';
import type { KedTokenizer } from '../../models/tokenizer';
import { tokenizeProbe } from '../../models/tokenizer/tokenize-probe';
import type { FactEditRecord } from '../fact-record';
import { counterfactualInput, editStatement } from './counterfactual-input';

/** One (edit, input → output) pair the counterfactual model learns from (SERAC §3, L_cf). */
export interface CounterfactualExample {
  edit: string;
  input: string;
  output: string;
}

/** The first answer of a probe's ground truth (a string, a list, or a list of alias lists). */
function firstAnswer(truth: FactEditRecord['ground_truth']): string | undefined {
  if (truth === undefined) return undefined;
  if (typeof truth === 'string') return truth;
  const first = truth[0];
  return typeof first === 'string' ? first : first[0];
}

/**
 * The in-scope examples of a train split: each record's edit with its own prompt, its rephrase
 * and its portability probes (which the record answers under the edit), the output being what
 * the edited model should say. Locality probes are out of scope: the scope classifier sends them
 * to the base model, so the counterfactual model is not trained on them (as in the paper).
 */
export function counterfactualExamples(records: readonly FactEditRecord[]): CounterfactualExample[] {
  const out: CounterfactualExample[] = [];
  for (const r of records) {
    const edit = editStatement(r.prompt, r.target_new);
    out.push({ edit, input: r.prompt, output: r.target_new });
    if (r.rephrase_prompt) out.push({ edit, input: r.rephrase_prompt, output: r.target_new });
    for (const probes of Object.values(r.portability ?? {})) {
      for (const p of probes) {
        const answer = firstAnswer(p.ground_truth);
        if (answer) out.push({ edit, input: p.prompt, output: answer });
      }
    }
  }
  return out;
}

export interface CounterfactualTrainingOptions {
  steps: number;
  batchSize: number;
  peakLr: number;
  warmupSteps: number;
  weightDecay: number;
  clipNorm: number;
  seed: number;
  /** The input format ({edit} and {prompt}), the method's `inputTemplate`. */
  inputTemplate: string;
}

export interface CounterfactualStep {
  step: number;
  steps: number;
  loss: number;
  lr: number;
  etaSeconds: number;
}

/**
 * Fine-tunes every weight of a copy of `base` on the examples: the edit statement and the input
 * joined by `inputTemplate`, cross-entropy on the output tokens and the end token after them only
 * (the input is masked). The
 * base model's own weights are not touched. Examples are drawn in a seeded order, epoch by epoch.
 */
export async function trainCounterfactualModel(
  base: LanguageModel,
  tokenizer: KedTokenizer,
  examples: readonly CounterfactualExample[],
  hp: CounterfactualTrainingOptions,
  onStep?: (report: CounterfactualStep) => void,
): Promise<{ model: LanguageModel; losses: number[]; wallSeconds: number }> {
  if (!examples.length) throw new Error('serac: no training examples (an empty train split?)');
  const weights = new Map([...base.weights].map(([name, t]) => [name, { ...t, data: (t.data as Float32Array).slice() } as HostTensor]));
  const model = base.sibling(weights);
  const maxPositions = model.config.maxPositions;
  // The output ends with the end token, so that a generated answer stops after it (as the daemon serves it).
  const end = tokenizer.eosTokenId === undefined ? [] : [tokenizer.eosTokenId];
  const encoded = examples.map((e) => {
    const { prompt, target } = tokenizeProbe(tokenizer, { prompt: counterfactualInput(hp.inputTemplate, e.edit, e.input), target: e.output });
    const ids = [...prompt, ...target, ...end].slice(-maxPositions);
    return { ids, targetStart: ids.length - target.length - end.length };
  });
  const { graph, gradNames } = buildLanguageModelingLoss(model);
  const compiled = await model.compile(graph);
  const params = new Map([...weights].map(([name, t]) => [name, t.data as Float32Array]));
  const optimizer = new AdamW(params, { lr: hp.peakLr, weightDecay: hp.weightDecay, paramOptions: noWeightDecay((name) => name.endsWith('.bias') || /ln_\d|ln_f|norm/.test(name) || name === 'wpe.weight') });
  const schedule = warmupCosine({ peakLr: hp.peakLr, warmupSteps: hp.warmupSteps, totalSteps: hp.steps, minLr: hp.peakLr / 10 });
  const random = mulberry32(hp.seed);
  let order: number[] = [];
  const losses: number[] = [];
  const started = Date.now();
  for (let step = 0; step < hp.steps; step++) {
    const batch: number[] = [];
    while (batch.length < hp.batchSize) {
      if (!order.length) order = shuffledIndices(encoded.length, random);
      batch.push(order.pop()!);
    }
    const rows = batch.map((i) => encoded[i]);
    const width = Math.max(...rows.map((r) => r.ids.length));
    const targets = hostTensor('int64', [rows.length, width]);
    const mask = hostTensor('float32', [rows.length, width]);
    rows.forEach((r, b) => {
      // The logit at position p predicts token p + 1: output tokens are predicted from targetStart - 1 on.
      for (let p = r.targetStart; p < r.ids.length; p++) {
        targets.data[b * width + p - 1] = BigInt(r.ids[p]);
        mask.data[b * width + p - 1] = 1;
      }
    });
    const out = await compiled.run({ ...rightPadded(rows.map((r) => r.ids)).feeds, targets, loss_mask: mask });
    const grads = new Map([...gradNames].map(([name, output]) => [name, out[output].data as Float32Array]));
    clipGradNorm(grads, hp.clipNorm);
    const loss = Number(out.loss.data[0]);
    if (!Number.isFinite(loss)) throw new Error(`serac: counterfactual training diverged at step ${step}`);
    const lr = schedule(step);
    optimizer.step(grads, lr);
    losses.push(loss);
    const elapsed = (Date.now() - started) / 1000;
    onStep?.({ step: step + 1, steps: hp.steps, loss, lr, etaSeconds: Math.round(((hp.steps - step - 1) * elapsed) / (step + 1)) });
  }
  return { model, losses, wallSeconds: (Date.now() - started) / 1000 };
}


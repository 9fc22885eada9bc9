import type { LanguageModel } from '../../models/language-model';
import type { KedTokenizer } from '../../models/tokenizer';
import { hostTensor, type HostTensor } from '../../runtime/graph/dtype';
import { AdamW, clipGradNorm } from '../../runtime/optim';
import { mulberry32, shuffledIndices } from '../../runtime/random';
import type { FactEditRecord } from '../fact-record';
import { editorBackward, initEditor, trainableNames, type EditorParams, type EditorShape } from './editor-network';
import { baseModelHash, type MendEditor } from './mend-artifact';
import { editLayers, gradientFactors, targetRow, type LayerEdit, type TokenFactors } from './mend-edit';
import { lossFeeds, postEditLossGraph, type LossRow } from './mend-graphs';
import type { CompiledGraph } from '../../runtime/session/session-manager';

export interface MendTrainingOptions {
  /** The MLP output projections edited (and so the editor networks trained). */
  layers: number[];
  hidden: number;
  blocks: number;
  steps: number;
  /** Edits per meta-training step. */
  batchSize: number;
  /** Adam's learning rate for the editor networks. */
  lr: number;
  /** Adam's learning rate for the per-layer step sizes log η (the paper's separate "lr of the lr"). */
  lrLr: number;
  /** Weight of KL(p_base ‖ p_edited) on the locality probes against the edit loss (weight 1). */
  cLoc: number;
  /**
   * Weight of the edits' size, mean over the batch of Σ_layers ‖ΔW‖²_F (not in the paper; 0 by
   * default): large edits pass one edit's losses but break when edits are stacked.
   */
  cNorm: number;
  /**
   * Which prompts the edit loss reads: the edit's rephrase (the paper's equivalence
   * neighbourhood) and its own prompt ('both'), or one of them (a record without a rephrase
   * always uses its prompt).
   */
  editLoss: EditLossPrompts;
  /** Training edits whose gradient factors set the networks' input statistics. */
  statsRecords: number;
  clipNorm: number;
  seed: number;
}

export type EditLossPrompts = 'both' | 'rephrase' | 'prompt';

export interface MendStep {
  step: number;
  steps: number;
  loss: number;
  nll: number;
  kl: number;
  /** η per layer. */
  lrs: number[];
  etaSeconds: number;
}

/** One training edit: the row its gradient comes from, the rows its edit loss reads, its locality rows. */
export interface Example {
  edit: LossRow;
  equivalent: LossRow[];
  locality: LossRow[];
}

const firstAnswer = (truth: unknown): string | undefined => {
  if (typeof truth === 'string') return truth;
  if (Array.isArray(truth) && truth.length) return firstAnswer(truth[0]);
  return undefined;
};

/**
 * The training edits of KnowEdit records (the world's train splits, as SERAC's counterfactual
 * model is trained): the edit is prompt → target_new; the edit loss reads the rephrase (the
 * paper's equivalence neighbourhood) and/or the prompt itself (`editLoss`); the locality probes
 * (Relation_Specificity, Forgetfulness), teacher-forced with their answers, are where
 * KL(p_base ‖ p_edited) is taken at every answer position.
 */
export function trainingExamples(tokenizer: KedTokenizer, records: readonly FactEditRecord[], editLoss: EditLossPrompts): Example[] {
  const out: Example[] = [];
  for (const r of records) {
    const edit = targetRow(tokenizer, r.prompt, r.target_new);
    const rephrase = r.rephrase_prompt && editLoss !== 'prompt' ? [targetRow(tokenizer, r.rephrase_prompt, r.target_new)] : [];
    const equivalent = [...rephrase, ...(editLoss !== 'rephrase' || !rephrase.length ? [edit] : [])];
    const locality: LossRow[] = [];
    for (const probes of Object.values(r.locality ?? {})) {
      for (const p of probes) {
        const answer = firstAnswer(p.ground_truth);
        if (!answer) continue;
        const row = targetRow(tokenizer, p.prompt, answer);
        locality.push({ ids: row.ids, nll: [], kl: row.nll.map(([position]) => [position, 1]) });
      }
    }
    out.push({ edit, equivalent, locality });
  }
  return out;
}

/**
 * MEND's meta-training (Mitchell et al. 2022, §3.2, Algorithm 1) with ked's runtime: per step a
 * batch of training edits; for each, the unedited model's gradient factors (x_i, δ_i) at every
 * edited layer, the editor networks' (x̃_i, δ̃_i), the edit ΔW = −η·Σ x̃_i δ̃_iᵀ put on the model
 * through the delta hook, and the loss L_e (target NLL on the equivalent prompts) + c_loc·L_loc
 * (KL(p_base ‖ p_edited) on the locality probes) of the edited model. The gradient reaches the
 * editor through ΔW: the runtime gives ∂L/∂V and ∂L/∂U of the delta hook's factors (V = x̃ᵀ,
 * U = −η·δ̃ᵀ), the chain to x̃, δ̃, η and on through the networks is written by hand
 * (`editorBackward`, checked against finite differences). The base weights never change.
 */
export async function trainMend(
  model: LanguageModel,
  tokenizer: KedTokenizer,
  records: readonly FactEditRecord[],
  hp: MendTrainingOptions,
  onStep?: (report: MendStep) => void,
): Promise<{ editor: MendEditor; losses: number[]; wallSeconds: number; initialLr: number }> {
  if (!records.length) throw new Error('mend: no training edits (an empty train split?)');
  for (const l of hp.layers) if (l >= model.config.layers) throw new Error(`mend: layer ${l} does not exist (the model has ${model.config.layers})`);
  const started = Date.now();
  const { dFF, dModel } = model.config;
  const shape: EditorShape = { dIn: dFF, dOut: dModel, hidden: hp.hidden, blocks: hp.blocks };
  const examples = trainingExamples(tokenizer, records, hp.editLoss);
  const random = mulberry32(hp.seed);
  const params = new Map<number, EditorParams>(hp.layers.map((l, i) => [l, initEditor(shape, hp.seed * 1000 + i, 0)]));
  const editor: MendEditor = { modelHash: baseModelHash(model), layers: [...hp.layers], shape, params, manifest: {} };

  await setInputStatistics(model, editor, examples.slice(0, Math.max(1, hp.statsRecords)));
  const objective = await MetaObjective.create(model, examples, editor, hp.cLoc, hp.cNorm);
  const postLoss = (batch: number[], edits: LayerEdit[][]) => objective.loss(batch, edits);
  const editsOf = (batch: number[]) => objective.edits(batch);

  // The step size's start: a line search over η with the identity editors (plain gradient
  // descent on the standardised factors) on the first batch, so that training starts from an
  // edit of sensible size rather than from an arbitrary constant.
  const probe = Array.from({ length: Math.min(examples.length, Math.max(hp.batchSize, 16)) }, (_, i) => i);
  let best = { logLr: 0, loss: Infinity };
  for (let k = -8; k <= 1; k += 0.5) {
    const logLr = k * Math.LN10;
    for (const p of params.values()) p.get('logLr')![0] = logLr;
    const { total: loss } = await postLoss(probe, await editsOf(probe));
    if (loss < best.loss) best = { logLr, loss };
  }
  for (const p of params.values()) p.get('logLr')![0] = best.logLr;

  const flat = new Map<string, Float32Array>();
  for (const [l, p] of params) for (const name of trainableNames(shape)) flat.set(`${l}/${name}`, p.get(name)!);
  const optimizer = new AdamW(flat, { lr: hp.lr, weightDecay: 0, paramOptions: (name) => (name.endsWith('/logLr') ? { lrScale: hp.lrLr / hp.lr } : undefined) });
  const losses: number[] = [];
  let order: number[] = [];
  for (let step = 0; step < hp.steps; step++) {
    const batch: number[] = [];
    while (batch.length < Math.min(hp.batchSize, examples.length)) {
      if (!order.length) order = shuffledIndices(examples.length, random);
      const e = order.pop()!;
      if (!batch.includes(e)) batch.push(e);
    }
    const edits = await editsOf(batch);
    const { out, owners, rows, total } = await postLoss(batch, edits);
    const loss = total;
    if (!Number.isFinite(loss)) throw new Error(`mend: meta-training diverged at step ${step}`);
    const grads = objective.gradients({ out, owners, rows }, edits);
    clipGradNorm(grads, hp.clipNorm);
    optimizer.step(grads);
    losses.push(loss);
    const elapsed = (Date.now() - started) / 1000;
    onStep?.({
      step: step + 1,
      steps: hp.steps,
      loss,
      nll: Number(out.nll.data[0]),
      kl: Number(out.kl.data[0]),
      lrs: hp.layers.map((l) => Math.exp(params.get(l)!.get('logLr')![0])),
      etaSeconds: Math.round(((hp.steps - step - 1) * elapsed) / (step + 1)),
    });
  }
  return { editor, losses, wallSeconds: (Date.now() - started) / 1000, initialLr: Math.exp(best.logLr) };
}

/**
 * MEND's meta-objective on a set of training edits: the edits an editor makes of them, the edited
 * model's loss, and the editor's gradients (shared by training and its gradient check).
 */
export class MetaObjective {
  private readonly logp0 = new Map<number, Float32Array>();

  private constructor(
    private readonly model: LanguageModel,
    readonly examples: readonly Example[],
    readonly editor: MendEditor,
    private readonly cLoc: number,
    private readonly cNorm: number,
    private readonly post: CompiledGraph,
  ) {}

  static async create(model: LanguageModel, examples: readonly Example[], editor: MendEditor, cLoc: number, cNorm = 0): Promise<MetaObjective> {
    return new MetaObjective(model, examples, editor, cLoc, cNorm, await postEditLossGraph(model, editor.layers));
  }

  /** The editor's edit of each example (its gradient factors through the networks). */
  async edits(batch: readonly number[]): Promise<LayerEdit[][]> {
    const factors = await gradientFactors(this.model, this.editor.layers, batch.map((e) => this.examples[e].edit));
    return factors.map((f) => editLayers(this.editor, f));
  }

  /** The post-edit loss of a batch of examples under their edits, with the gradients of the delta factors. */
  async loss(batch: readonly number[], edits: LayerEdit[][]): Promise<{ out: Record<string, HostTensor>; owners: number[]; rows: number; total: number }> {
    const { vocabSize } = this.model.config;
    await this.baseLogProbs(batch);
    const rows: LossRow[] = [];
    const owners: number[] = [];
    batch.forEach((e, k) => {
      const ex = this.examples[e];
      for (const row of ex.equivalent) {
        rows.push({ ...row, nll: row.nll.map(([p, t, w]) => [p, t, w / (batch.length * ex.equivalent.length)]) });
        owners.push(k);
      }
      const klPositions = ex.locality.reduce((s, r) => s + r.kl.length, 0);
      for (const row of ex.locality) {
        rows.push({ ...row, kl: row.kl.map(([p]) => [p, this.cLoc / (batch.length * klPositions)]) });
        owners.push(k);
      }
    });
    const { feeds, klAt } = lossFeeds(rows, vocabSize);
    // p₀ rows in the order the feeds list the KL positions (example by example, row by row).
    let at = 0;
    const p0 = feeds.kl_logp0.data as Float32Array;
    for (const e of batch) {
      const cached = this.logp0.get(e)!;
      for (let i = 0; i < cached.length / vocabSize; i++) p0.set(cached.subarray(i * vocabSize, (i + 1) * vocabSize), klAt[at++] * vocabSize);
    }
    Object.assign(feeds, this.deltaFeeds(rows.length, owners, edits));
    const out = await this.post.run(feeds);
    const penalty = this.cNorm ? (this.cNorm / edits.length) * edits.flat().reduce((sum, e) => sum + normSquared(e), 0) : 0;
    return { out, owners, rows: rows.length, total: Number(out.loss.data[0]) + penalty };
  }

  /** The editor parameters' gradients of a `loss` result (see `editorGradients`). */
  gradients(result: { out: Record<string, HostTensor>; owners: number[]; rows: number }, edits: LayerEdit[][]): Map<string, Float32Array> {
    const { dFF, dModel } = this.model.config;
    return editorGradients(result.out, result.owners, result.rows, edits, this.editor.layers, this.editor.shape, dFF, dModel, this.editor.params, this.cNorm);
  }

  /** The unedited model's log-probabilities at the locality positions of examples not seen yet. */
  private async baseLogProbs(batch: readonly number[]): Promise<void> {
    const { vocabSize } = this.model.config;
    const missing = batch.filter((e) => !this.logp0.has(e) && this.examples[e].locality.length);
    for (const e of batch) if (!this.examples[e].locality.length) this.logp0.set(e, new Float32Array(0));
    if (!missing.length) return;
    const rows = missing.flatMap((e) => this.examples[e].locality);
    const { feeds, klAt } = lossFeeds(rows, vocabSize);
    Object.assign(feeds, this.deltaFeeds(rows.length, rows.map(() => -1), []));
    const logp = (await this.post.run(feeds)).logp.data as Float32Array;
    let at = 0;
    for (const e of missing) {
      const count = this.examples[e].locality.reduce((s, r) => s + r.kl.length, 0);
      const mine = new Float32Array(count * vocabSize);
      for (let i = 0; i < count; i++, at++) mine.set(logp.subarray(klAt[at] * vocabSize, (klAt[at] + 1) * vocabSize), i * vocabSize);
      this.logp0.set(e, mine);
    }
  }

  /** Zero factors on every layer, each row's own edit's factors (padded to the batch's widest) on the edited ones. */
  private deltaFeeds(rows: number, owners: readonly number[], edits: LayerEdit[][]): Record<string, HostTensor> {
    const { dFF, dModel, layers } = this.model.config;
    const feeds: Record<string, HostTensor> = {};
    for (let l = 0; l < layers; l++) {
      const i = this.editor.layers.indexOf(l);
      const rank = i < 0 || !edits.length ? 1 : Math.max(1, ...edits.map((e) => e[i].n));
      const v = hostTensor('float32', [rows, dFF, rank]);
      const u = hostTensor('float32', [rows, dModel, rank]);
      if (i >= 0 && edits.length) {
        owners.forEach((k, b) => {
          const e = edits[k][i];
          for (let r = 0; r < dFF; r++) for (let t = 0; t < e.n; t++) v.data[(b * dFF + r) * rank + t] = e.v[r * e.n + t];
          for (let r = 0; r < dModel; r++) for (let t = 0; t < e.n; t++) u.data[(b * dModel + r) * rank + t] = e.u[r * e.n + t];
        });
      }
      feeds[`delta.${l}.V`] = v;
      feeds[`delta.${l}.U`] = u;
    }
    return feeds;
  }
}

/**
 * The editor parameters' gradients from the post-edit loss's gradients of the delta factors:
 * per example, ∂L/∂V and ∂L/∂U summed over its rows; ∂L/∂x̃_t = ∂L/∂V[:, t],
 * ∂L/∂δ̃_t = −η·∂L/∂U[:, t], ∂L/∂log η = Σ ∂L/∂U ⊙ U; then each network's backward pass.
 */
export function editorGradients(
  out: Record<string, HostTensor>,
  owners: readonly number[],
  rows: number,
  edits: LayerEdit[][],
  layers: readonly number[],
  shape: EditorShape,
  dFF: number,
  dModel: number,
  params: Map<number, EditorParams>,
  cNorm = 0,
): Map<string, Float32Array> {
  const grads = new Map<string, Float32Array>();
  layers.forEach((l, i) => {
    const gV = out[`grad.${l}.V`].data as Float32Array;
    const gU = out[`grad.${l}.U`].data as Float32Array;
    const rank = out[`grad.${l}.V`].shape[2];
    const perLayer = new Map<string, Float32Array>();
    let gLogLr = 0;
    edits.forEach((edit, k) => {
      const e = edit[i];
      const gxt = new Float32Array(e.n * dFF);
      const gdt = new Float32Array(e.n * dModel);
      for (let b = 0; b < rows; b++) {
        if (owners[b] !== k) continue;
        for (let r = 0; r < dFF; r++) for (let t = 0; t < e.n; t++) gxt[t * dFF + r] += gV[(b * dFF + r) * rank + t];
        for (let r = 0; r < dModel; r++) {
          for (let t = 0; t < e.n; t++) {
            const g = gU[(b * dModel + r) * rank + t];
            gdt[t * dModel + r] += -e.lr * g;
            gLogLr += g * e.u[r * e.n + t];
          }
        }
      }
      if (cNorm) {
        // (c/B)·‖V·Uᵀ‖²_F: ∂/∂V = 2(c/B)·V·(UᵀU), ∂/∂U = 2(c/B)·U·(VᵀV).
        const scale = (2 * cNorm) / edits.length;
        const gramU = gram(e.u, dModel, e.n);
        const gramV = gram(e.v, dFF, e.n);
        for (let r = 0; r < dFF; r++) {
          for (let t = 0; t < e.n; t++) {
            let s = 0;
            for (let q = 0; q < e.n; q++) s += e.v[r * e.n + q] * gramU[q * e.n + t];
            gxt[t * dFF + r] += scale * s;
          }
        }
        for (let r = 0; r < dModel; r++) {
          for (let t = 0; t < e.n; t++) {
            let s = 0;
            for (let q = 0; q < e.n; q++) s += e.u[r * e.n + q] * gramV[q * e.n + t];
            gdt[t * dModel + r] += -e.lr * scale * s;
            gLogLr += scale * s * e.u[r * e.n + t];
          }
        }
      }
      editorBackward(shape, params.get(l)!, e.cache, gxt, gdt, perLayer);
    });
    for (const [name, g] of perLayer) grads.set(`${l}/${name}`, g);
    grads.set(`${l}/logLr`, Float32Array.of(gLogLr));
  });
  return grads;
}

/** XᵀX of a row-major [rows, n] matrix. */
function gram(x: Float32Array, rows: number, n: number): Float64Array {
  const g = new Float64Array(n * n);
  for (let r = 0; r < rows; r++) for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) g[a * n + b] += x[r * n + a] * x[r * n + b];
  return g;
}

/** ‖V·Uᵀ‖²_F = tr((VᵀV)(UᵀU)) of one layer's edit. */
export function normSquared(e: LayerEdit): number {
  const gv = gram(e.v, e.v.length / e.n, e.n);
  const gu = gram(e.u, e.u.length / e.n, e.n);
  let tr = 0;
  for (let a = 0; a < e.n; a++) for (let b = 0; b < e.n; b++) tr += gv[a * e.n + b] * gu[b * e.n + a];
  return tr;
}

/** Sets each network's input statistics (per-feature mean and standard deviation of [x; δ]) from the training edits' gradient factors. */
async function setInputStatistics(model: LanguageModel, editor: MendEditor, examples: readonly Example[]): Promise<void> {
  const d = editor.shape.dIn + editor.shape.dOut;
  const sums = new Map(editor.layers.map((l) => [l, { n: 0, s: new Float64Array(d), ss: new Float64Array(d) }]));
  for (let start = 0; start < examples.length; start += 16) {
    const factors = await gradientFactors(model, editor.layers, examples.slice(start, start + 16).map((e) => e.edit));
    for (const perLayer of factors) {
      for (const l of editor.layers) accumulate(sums.get(l)!, perLayer.get(l)!, editor.shape.dIn, editor.shape.dOut);
    }
  }
  for (const l of editor.layers) {
    const { n, s, ss } = sums.get(l)!;
    const mean = editor.params.get(l)!.get('mean')!;
    const std = editor.params.get(l)!.get('std')!;
    for (let i = 0; i < d; i++) {
      mean[i] = s[i] / n;
      std[i] = Math.max(Math.sqrt(Math.max(ss[i] / n - mean[i] ** 2, 0)), 1e-8);
    }
  }
}

function accumulate(acc: { n: number; s: Float64Array; ss: Float64Array }, f: TokenFactors, dIn: number, dOut: number): void {
  const d = dIn + dOut;
  for (let t = 0; t < f.n; t++) {
    for (let i = 0; i < d; i++) {
      const v = i < dIn ? f.x[t * dIn + i] : f.delta[t * dOut + i - dIn];
      acc.s[i] += v;
      acc.ss[i] += v * v;
    }
  }
  acc.n += f.n;
}


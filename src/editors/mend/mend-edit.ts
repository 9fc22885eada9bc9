import type { LanguageModel } from '../../models/language-model';
import type { KedTokenizer } from '../../models/tokenizer';
import { tokenizeProbe } from '../../models/tokenizer/tokenize-probe';
import { hostTensor, type HostTensor } from '../../runtime/graph/dtype';
import type { DeltaOperation } from '../edit-operation';
import type { EditRequest } from '../edit-request';
import { deltaFactors, editorForward, type EditorCache } from './editor-network';
import type { MendEditor } from './mend-artifact';
import { editGradientGraph, lossFeeds, type LossRow } from './mend-graphs';

/**
 * A probe as a loss row: prompt + target tokens, −weight·log p at each target token
 * (the weights sum to `weight` over the target).
 */
export function targetRow(tokenizer: KedTokenizer, prompt: string, target: string, weight = 1): LossRow & { promptLength: number } {
  const t = tokenizeProbe(tokenizer, { prompt, target });
  const ids = [...t.prompt, ...t.target];
  return { ids, promptLength: t.prompt.length, nll: t.target.map((token, i) => [t.prompt.length - 1 + i, token, weight / t.target.length]), kl: [] };
}

/** The per-token factors of one edit's fine-tuning gradient at one layer: x [n, d_ff], δ [n, d_model]. */
export interface TokenFactors {
  n: number;
  x: Float32Array;
  delta: Float32Array;
}

/**
 * The edit rows' gradient factors at every layer, from one forward and backward pass of the
 * unedited model: per row, per layer, the tokens that the loss reaches (every token before the
 * last target token; the last one's MLP output feeds no logit the loss reads), so an edit's rank
 * is at most its length − 1.
 */
export async function gradientFactors(model: LanguageModel, layers: readonly number[], rows: readonly LossRow[]): Promise<Array<Map<number, TokenFactors>>> {
  const compiled = await editGradientGraph(model, layers);
  const { feeds, width } = lossFeeds(rows, model.config.vocabSize);
  delete feeds.kl_weight;
  delete feeds.kl_logp0;
  const { dModel, dFF } = model.config;
  for (const l of layers) feeds[`resid.add.${l}`] = hostTensor('float32', [rows.length, width, dModel]);
  const out = await compiled.run(feeds);
  return rows.map((row, b) => {
    const n = Math.max(...row.nll.map(([p]) => p)) + 1;
    const perLayer = new Map<number, TokenFactors>();
    for (const l of layers) {
      const x = (out[`x.${l}`].data as Float32Array).slice(b * width * dFF, (b * width + n) * dFF);
      const delta = (out[`delta.${l}`].data as Float32Array).slice(b * width * dModel, (b * width + n) * dModel);
      perLayer.set(l, { n, x, delta });
    }
    return perLayer;
  });
}

/** One layer's edit from an editor: the factors for the delta hook, and what training's backward pass needs. */
export interface LayerEdit {
  layer: number;
  n: number;
  /** V = x̃ᵀ [d_ff, n], U = −η·δ̃ᵀ [d_model, n]. */
  v: Float32Array;
  u: Float32Array;
  xt: Float32Array;
  dt: Float32Array;
  lr: number;
  cache: EditorCache;
}

/** Runs each layer's editor network on the gradient factors of one edit (tokens of several requests concatenated). */
export function editLayers(editor: MendEditor, factors: Map<number, TokenFactors>, lrScale = 1): LayerEdit[] {
  return editor.layers.map((layer) => {
    const f = factors.get(layer)!;
    const params = editor.params.get(layer)!;
    const { xt, dt, cache } = editorForward(editor.shape, params, f.x, f.delta, f.n);
    const lr = lrScale * Math.exp(params.get('logLr')![0]);
    return { layer, n: f.n, ...deltaFactors(editor.shape, xt, dt, f.n, lr), xt, dt, lr, cache };
  });
}

/** Concatenates several edits' token factors (a batch of requests edited at once: their gradients add up). */
export function concatFactors(parts: ReadonlyArray<Map<number, TokenFactors>>, layers: readonly number[]): Map<number, TokenFactors> {
  const out = new Map<number, TokenFactors>();
  for (const l of layers) {
    const ps = parts.map((p) => p.get(l)!);
    const n = ps.reduce((s, p) => s + p.n, 0);
    const x = new Float32Array(ps.reduce((s, p) => s + p.x.length, 0));
    const delta = new Float32Array(ps.reduce((s, p) => s + p.delta.length, 0));
    let xo = 0;
    let dO = 0;
    for (const p of ps) {
      x.set(p.x, xo);
      delta.set(p.delta, dO);
      xo += p.x.length;
      dO += p.delta.length;
    }
    out.set(l, { n, x, delta });
  }
  return out;
}

/**
 * MEND's edit of the requests (§3.1): the fine-tuning gradient of the target tokens' NLL on each
 * request's prompt, computed once, mapped token by token through each layer's editor network, and
 * returned as one low-rank delta per edited layer (rank ≤ the requests' tokens), for the caller to
 * route or commit like any delta.
 */
export async function mendDelta(model: LanguageModel, tokenizer: KedTokenizer, editor: MendEditor, requests: readonly EditRequest[], lrScale: number, method: string): Promise<DeltaOperation> {
  const rows = requests.map((r) => targetRow(tokenizer, r.prompt, r.target_new));
  const factors = concatFactors(await gradientFactors(model, editor.layers, rows), editor.layers);
  const { dModel, dFF } = model.config;
  return {
    kind: 'delta',
    method,
    requests: requests.map((_, i) => i),
    factors: editLayers(editor, factors, lrScale).map((e) => ({
      layer: e.layer,
      u: { dtype: 'float32', shape: [dModel, e.n], data: e.u } as HostTensor,
      v: { dtype: 'float32', shape: [dFF, e.n], data: e.v } as HostTensor,
    })),
  };
}

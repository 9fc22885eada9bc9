import { rightPadded, type LanguageModel } from '../../models/language-model';
import type { TapKind } from '../../models/graph/forward-options';
import type { KedTokenizer } from '../../models/tokenizer';
import { hostTensor } from '../../runtime/graph/dtype';
import { AdamW } from '../../runtime/optim';
import { buildRows, norm, valueLossFeeds, valueLossGraph, valuePrefixGraph, type Row, type ValueOptimization, type ValueTarget } from './value-optimizer';
import { lastReadPosition, suffixLayout, SuffixFeedsBuilder } from './value-suffix';

/** Padded window positions per loss run: large enough for efficient MatMuls, small enough that the backward's activations stay in the hundreds of MB. */
const POSITIONS_PER_RUN = 2048;
/**
 * KL rows run apart only when their padding to the rewriting rows' windows exceeds this many
 * positions: a second run reads every weight again (the head's 50k × d too), which costs a few
 * dozen positions' compute, so a small group (ROME's one request) is faster with one run.
 */
const KL_PADDING_TO_RUN_APART = 64;
/**
 * Padded positions per run of the frozen prefix. It runs every layer over the rows' full tokens
 * and outputs the keys and values of the layers above: over a whole group at once (~15k positions
 * for 85 requests in 7 rows each) that is ~650 MB of outputs on top of onnxruntime's own
 * activations, kept by its arena; in slices of this size, a few hundred MB.
 */
const PREFIX_POSITIONS_PER_RUN = 4096;

/**
 * Finds δ such that adding it to the residual stream after `layer`, at the subject's last token,
 * makes the model say `target` after the prompt in every context template, while keeping
 * "<subject> is a" close to what it was (ROME eq. 4; MEMIT's z_i). The loss graph and its
 * gradient with respect to the added state come from the runtime's autodiff; Adam runs here.
 *
 * Only what δ changes is recomputed per step: the model runs once over the full rows (the frozen
 * prefix, `valuePrefixGraph`); each step runs the layers above `layer` only over each row's window
 * from the subject's last token to the last position the loss reads, with the earlier tokens' keys
 * and values cached (`value-suffix.ts`), and takes the vocabulary projection only at the
 * positions the loss reads (`valueLossGraph`).
 */
export async function optimizeValue(
  model: LanguageModel,
  tokenizer: KedTokenizer,
  request: { prompt: string; subject: string; target: string },
  templates: readonly string[],
  layer: number,
  read: Extract<TapKind, 'mlp.out' | 'resid'>,
  hp: ValueOptimization,
): Promise<ValueTarget> {
  // One request is a batch of one: the loop below steps it.
  const [target] = await optimizeValues(model, tokenizer, [request], templates, layer, read, hp);
  return target;
}

/**
 * MEMIT's z_i for many requests (compute_z per request, Meng et al. 2023), optimised together:
 * each run of the loss graph holds several requests' rows, each with its own δ, Adam state,
 * early stop and norm clamp. Rows of different requests never attend to each other and each
 * request's loss reads only its own rows, so every δ follows the same steps as alone
 * (`optimizeValue`); only the MatMuls are larger. Requests are grouped by window width (less
 * padding) and returned in the order given.
 */
export async function optimizeValues(
  model: LanguageModel,
  tokenizer: KedTokenizer,
  requests: ReadonlyArray<{ prompt: string; subject: string; target: string }>,
  templates: readonly string[],
  layer: number,
  read: Extract<TapKind, 'mlp.out' | 'resid'>,
  hp: ValueOptimization,
  /** KL rows run apart above this many padded positions (default KL_PADDING_TO_RUN_APART; a test forces either way). */
  klPaddingToRunApart = KL_PADDING_TO_RUN_APART,
  /** Padded positions per run of the frozen prefix (default PREFIX_POSITIONS_PER_RUN; a test runs it a row at a time). */
  prefixPositionsPerRun = PREFIX_POSITIONS_PER_RUN,
): Promise<ValueTarget[]> {
  const rowsByRequest = requests.map((r) => buildRows(tokenizer, r, templates));
  const order = rowsByRequest.map((rows, i) => ({ i, width: suffixLayout(rows.filter((r) => r.kind === 'rewrite')).width })).sort((a, b) => a.width - b.width || a.i - b.i);
  const results = new Array<ValueTarget>(requests.length);
  let group: number[] = [];
  const run = async () => {
    const targets = await optimizeGroup(model, group.map((i) => rowsByRequest[i]), layer, read, hp, klPaddingToRunApart, prefixPositionsPerRun);
    group.forEach((i, n) => (results[i] = targets[n]));
    group = [];
  };
  for (const { i } of order) {
    const candidate = [...group, i].map((j) => rowsByRequest[j]);
    if (group.length && windowPositions(candidate) > POSITIONS_PER_RUN) await run();
    group.push(i);
  }
  if (group.length) await run();
  return results;
}

/**
 * A group's rows of the given kinds with everything a step needs: the frozen prefix run over them
 * once, their windows' feeds, and the loss feeds at the positions read. A KL row's window is its
 * subject token alone; padded to the rewriting rows' windows it costs as much as they do, so in a
 * large group KL rows run apart.
 */
async function windowBatch(model: LanguageModel, rowsByRequest: readonly Row[][], kinds: ReadonlyArray<Row['kind']>, layer: number, read: Extract<TapKind, 'mlp.out' | 'resid'>, klFactor: number, prefixPositions: number) {
  const rows = rowsByRequest.flatMap((rs) => rs.filter((r) => kinds.includes(r.kind)));
  const owners = rowsByRequest.flatMap((rs, n) => rs.filter((r) => kinds.includes(r.kind)).map(() => n));
  // Tokens after a row's last read logit (the last target token, the KL prompt's " is a") affect nothing the loss reads.
  const needed = rows.map((r) => r.ids.slice(0, lastReadPosition(r) + 1));
  const layout = suffixLayout(rows);
  const layersAbove = Array.from({ length: model.config.layers - 1 - layer }, (_, i) => layer + 1 + i);
  const builder = new SuffixFeedsBuilder(layout, layersAbove);
  const d = model.config.dModel;
  const states = new Float32Array(rows.length * d); // each row's edited state at its subject token (v₀)
  // The frozen prefix, once, over consecutive slices of the rows: the residual after `layer`, the
  // state to edit, and the keys and values above `layer` of the tokens before each row's window.
  const prefixGraph = await valuePrefixGraph(model, layer, read);
  for (let from = 0; from < rows.length; ) {
    let to = from + 1;
    for (let width = needed[from].length; to < rows.length; to++) {
      width = Math.max(width, needed[to].length);
      if ((to + 1 - from) * width > prefixPositions) break;
    }
    const { feeds: padded } = rightPadded(needed.slice(from, to));
    const prefix = await prefixGraph.run({ ...padded, ...model.emptyCache(to - from) });
    builder.add(prefix, from);
    const [, fullWidth] = prefix.state.shape;
    for (let b = from; b < to; b++) {
      const at = ((b - from) * fullWidth + rows[b].subjectIndex) * d;
      states.set((prefix.state.data as Float32Array).subarray(at, at + d), b * d);
    }
    from = to;
  }
  const loss = valueLossFeeds(rows, layout.width, model.config.vocabSize, klFactor, owners, layout.starts);
  return { rows, owners, width: layout.width, states, feeds: { ...builder.feeds, ...loss.feeds }, base: builder.base, loss };
}

/** Window positions a group's loss runs compute per step (rewriting rows and KL rows apart, each padded to its widest). */
function windowPositions(rowsByRequest: readonly Row[][]): number {
  const rows = rowsByRequest.flat();
  return (['rewrite', 'kl'] as const).reduce((n, kind) => {
    const ofKind = rows.filter((r) => r.kind === kind);
    return ofKind.length ? n + ofKind.length * suffixLayout(ofKind).width : n;
  }, 0);
}

/** One group's requests, stepped together until each has met its threshold or run out of steps. */
async function optimizeGroup(model: LanguageModel, rowsByRequest: readonly Row[][], layer: number, read: Extract<TapKind, 'mlp.out' | 'resid'>, hp: ValueOptimization, klPaddingToRunApart: number, prefixPositions: number): Promise<ValueTarget[]> {
  const d = model.config.dModel;
  const all = rowsByRequest.flat();
  const klPadding = all.filter((r) => r.kind === 'kl').length * (suffixLayout(all.filter((r) => r.kind === 'rewrite')).width - 1);
  const batches =
    klPadding > klPaddingToRunApart
      ? [await windowBatch(model, rowsByRequest, ['rewrite'], layer, read, hp.klFactor, prefixPositions), await windowBatch(model, rowsByRequest, ['kl'], layer, read, hp.klFactor, prefixPositions)]
      : [await windowBatch(model, rowsByRequest, ['rewrite', 'kl'], layer, read, hp.klFactor, prefixPositions)];
  const [rewriting] = batches; // holds each request's bare row either way
  const requests = rowsByRequest.map((_, n) => {
    const bare = rewriting.owners.indexOf(n); // each request's first row is the bare "{}" template
    const initial = rewriting.states.slice(bare * d, (bare + 1) * d);
    const initialNormSq = norm(initial) ** 2;
    const delta = new Float32Array(d);
    return { initial, initialNormSq, maxNorm: hp.clampNormFactor * Math.sqrt(initialNormSq), delta, optimizer: new AdamW(new Map([['delta', delta]]), { lr: hp.lr, weightDecay: 0 }), losses: [] as number[], targetProbability: 0, done: false };
  });

  const compiled = await valueLossGraph(model, layer);
  const starts = batches.map((b) => hostTensor('float32', [b.rows.length, b.width, d]));
  for (let step = 0; step < hp.steps && requests.some((r) => !r.done); step++) {
    const terms = requests.map(() => ({ nll: 0, kl: 0 }));
    const gradients = requests.map(() => new Float32Array(d));
    for (const [i, batch] of batches.entries()) {
      const startData = starts[i].data as Float32Array;
      startData.set(batch.base);
      batch.owners.forEach((owner, b) => {
        const { delta } = requests[owner];
        const at = b * batch.width * d; // the window starts at the subject's last token
        for (let j = 0; j < d; j++) startData[at + j] += delta[j];
      });
      const out = await compiled.run({ ...batch.feeds, 'resid.start': starts[i] });
      const klLogp = out.kl_logp.data as Float32Array;
      if (step === 0) batch.loss.setInitial(klLogp); // p₀ at δ = 0, as optimizeValue takes it
      batch.loss.lossesByRequest(out.target_logp.data as Float32Array, klLogp).forEach((t, n) => {
        terms[n].nll += t.nll;
        terms[n].kl += t.kl;
      });
      const g = out.grad.data as Float32Array;
      batch.owners.forEach((owner, b) => {
        const at = b * batch.width * d;
        for (let j = 0; j < d; j++) gradients[owner][j] += g[at + j];
      });
    }
    requests.forEach((q, n) => {
      if (q.done) return;
      const deltaNorm = norm(q.delta);
      const value = terms[n].nll + terms[n].kl + (hp.weightDecay * deltaNorm) / q.initialNormSq;
      q.losses.push(value);
      q.targetProbability = Math.exp(-terms[n].nll);
      if (value < hp.lossThreshold || step === hp.steps - 1) {
        q.done = true; // δ stays as it is now, as optimizeValue stops
        return;
      }
      const gradient = gradients[n];
      if (deltaNorm > 0) for (let j = 0; j < d; j++) gradient[j] += (hp.weightDecay * q.delta[j]) / (deltaNorm * q.initialNormSq);
      q.optimizer.step(new Map([['delta', gradient]]));
      const after = norm(q.delta);
      if (after > q.maxNorm) for (let j = 0; j < d; j++) q.delta[j] *= q.maxNorm / after;
    });
  }
  return requests.map((q) => ({ initial: q.initial, delta: q.delta, losses: q.losses, targetProbability: q.targetProbability }));
}

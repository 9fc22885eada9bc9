import { rightPadded, type LanguageModel } from '../../models/language-model';
import type { KedTokenizer } from '../../models/tokenizer';
import { tokenizeProbe } from '../../models/tokenizer/tokenize-probe';
import { hostTensor } from '../../runtime/graph/dtype';
import { AdamW } from '../../runtime/optim';
import { valueLossGraph, valuePrefixGraph } from '../locate/value-optimizer';

/** One edit a value is trained on: its tokens and its own state at the prompt's last token. */
export interface ValueRow {
  entry: number;
  ids: number[];
  promptLength: number;
  targets: number[];
  /** The unedited residual after the codebook's layer at the prompt's last token. */
  state: Float32Array;
}

export interface ValueTrainingOptions {
  steps: number;
  lr: number;
  /** Stop once the entries' mean target NLL (averaged over the entries trained together) is below this. */
  lossThreshold: number;
  /** Sequences per forward pass. */
  batchSize: number;
}

/** The rows of edits: prompt + target tokens and the prompt's last-token state at `layer`. */
export async function valueRows(model: LanguageModel, tokenizer: KedTokenizer, edits: ReadonlyArray<{ entry: number; prompt: string; target: string }>, layer: number): Promise<ValueRow[]> {
  const probes = edits.map((e) => tokenizeProbe(tokenizer, { prompt: e.prompt, target: e.target }));
  const states = await model.hidden(
    probes.map((p) => p.prompt),
    { kind: 'resid', layer },
    -1,
  );
  return edits.map((e, i) => ({ entry: e.entry, ids: [...probes[i].prompt, ...probes[i].target], promptLength: probes[i].prompt.length, targets: probes[i].target, state: states[i] }));
}

/**
 * Trains each entry's value: the state that, replacing the residual after `layer` at the prompt's
 * last token of each of its rows, makes the model say the row's target (GRACE's value update,
 * by the runtime's autodiff and Adam). Values start at their first row's own state (no change).
 * Entries are trained side by side in batches; their rows never interact.
 */
export async function trainValues(model: LanguageModel, rows: readonly ValueRow[], layer: number, hp: ValueTrainingOptions): Promise<Map<number, Float32Array>> {
  const byEntry = new Map<number, ValueRow[]>();
  for (const row of rows) byEntry.set(row.entry, [...(byEntry.get(row.entry) ?? []), row]);
  const values = new Map<number, Float32Array>();
  let group: number[] = [];
  let groupRows = 0;
  const flush = async () => {
    if (!group.length) return;
    const trained = await trainGroup(model, group.map((e) => [e, byEntry.get(e)!] as const), layer, hp);
    for (const [entry, value] of trained) values.set(entry, value);
    [group, groupRows] = [[], 0];
  };
  for (const [entry, entryRows] of byEntry) {
    if (groupRows && groupRows + entryRows.length > hp.batchSize) await flush();
    group.push(entry);
    groupRows += entryRows.length;
  }
  await flush();
  return values;
}

async function trainGroup(model: LanguageModel, entries: ReadonlyArray<readonly [number, readonly ValueRow[]]>, layer: number, hp: ValueTrainingOptions): Promise<Map<number, Float32Array>> {
  const rows = entries.flatMap(([, r]) => r);
  const d = model.config.dModel;
  const batch = rows.length;
  const width = Math.max(...rows.map((r) => r.ids.length));
  const { feeds: padded } = rightPadded(rows.map((r) => r.ids));
  // The layers up to `layer` do not depend on the values: run them once.
  // Both graphs take a KV cache (the locate methods' windows); an empty one runs every row whole.
  const empty = model.emptyCache(batch);
  const base = (await (await valuePrefixGraph(model, layer, 'resid')).run({ ...padded, ...empty })).resid.data as Float32Array;
  const compiled = await valueLossGraph(model, layer);
  const read: Array<{ at: number; target: number; weight: number }> = [];
  rows.forEach((r, b) => {
    const members = entries.find(([e]) => e === r.entry)![1].length;
    // Each entry's loss is the mean NLL over its rows' target tokens.
    r.targets.forEach((token, i) => read.push({ at: b * width + r.promptLength - 1 + i, target: token, weight: 1 / (members * r.targets.length) }));
  });
  const n = read.length;
  const feeds = {
    ...padded,
    // The loss graph reads the cache of the layers above `layer` only.
    ...Object.fromEntries(Object.entries(empty).filter(([name]) => Number(name.split('.')[1]) > layer)),
    'logits.positions': hostTensor('int64', [n], read.map((p) => p.at)),
    targets: hostTensor('int64', [n], read.map((p) => p.target)),
    nll_weight: hostTensor('float32', [n], read.map((p) => p.weight)),
    // No KL term: one position at weight 0 (the loss graph takes the full distribution only there).
    kl_index: hostTensor('int64', [1], [0]),
    kl_weight: hostTensor('float32', [1]),
    kl_logp0: hostTensor('float32', [1, model.config.vocabSize]),
  };
  const params = new Map(entries.map(([e, r]) => [`v${e}`, Float32Array.from(r[0].state)]));
  const optimizer = new AdamW(params, { lr: hp.lr, weightDecay: 0 });
  const start = hostTensor('float32', [batch, width, d]);
  const startData = start.data as Float32Array;
  for (let step = 0; step < hp.steps; step++) {
    // The state s at the prompt's last token replaced by v (adding v − s to the stream).
    startData.set(base);
    rows.forEach((r, b) => {
      const v = params.get(`v${r.entry}`)!;
      const offset = (b * width + r.promptLength - 1) * d;
      for (let j = 0; j < d; j++) startData[offset + j] += v[j] - r.state[j];
    });
    const out = await compiled.run({ ...feeds, 'resid.start': start });
    // The summed loss of the group's entries (each a mean over its rows).
    if ((out.nll.data[0] as number) < hp.lossThreshold * entries.length || step === hp.steps - 1) break;
    const g = out.grad.data as Float32Array;
    const gradients = new Map([...params.keys()].map((k) => [k, new Float32Array(d)]));
    rows.forEach((r, b) => {
      const gradient = gradients.get(`v${r.entry}`)!;
      const offset = (b * width + r.promptLength - 1) * d;
      for (let j = 0; j < d; j++) gradient[j] += g[offset + j];
    });
    optimizer.step(gradients);
  }
  return new Map(entries.map(([e]) => [e, params.get(`v${e}`)!]));
}

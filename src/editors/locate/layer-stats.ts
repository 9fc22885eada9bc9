import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rightPadded, type LanguageModel } from '../../models/language-model';
import type { KedTokenizer } from '../../models/tokenizer';
import type { DenseMatrix } from '../../runtime/linalg';
import { hostTensor } from '../../runtime/graph/dtype';
import * as op from '../../runtime/ops';
import { tapName } from '../../models/graph/forward-options';
import type { StatsCorpus } from '../edit-method';
import { lengthSortedBatches } from './length-batches';

/** Padded token positions per statistics run (the MLP keys of one run: 4096 × d_ff floats). */
const STATS_POSITIONS_PER_RUN = 4096;

/** The uncentred second moment C = E[k kᵀ] of one layer's MLP keys, and how it was estimated. */
export interface KeyMoment {
  layer: number;
  moment: DenseMatrix;
  /** Token positions averaged. */
  samples: number;
  corpus: string;
  /**
   * A hash of the moment's bytes: what is derived from it (a factorisation, a projector) is
   * cached under it, so it is recomputed exactly when the statistics change.
   */
  digest: string;
  /** The statistics' path on disk without extension, when cached there (derived caches sit beside it). */
  file?: string;
}

const memory = new WeakMap<LanguageModel, Map<string, Promise<KeyMoment>>>();
const fingerprints = new WeakMap<LanguageModel, string>();

/**
 * E[k kᵀ] at a layer over the first `samples` token positions of a corpus (ROME's mom2 over
 * Wikipedia; here whatever sample the deployment names), cached per model in memory and, given a
 * directory, on disk. The model's fingerprint is taken at first use, so edits committed later do
 * not change which statistics an editor sees (ROME keeps the original model's too).
 */
export function keyMoment(model: LanguageModel, tokenizer: KedTokenizer, corpus: StatsCorpus | undefined, layer: number, samples: number, cacheDir?: string): Promise<KeyMoment> {
  if (!corpus) throw new Error('this method needs a text sample for key statistics (statsCorpus); `ked eval` uses the world corpus, the daemon its configured sample');
  let perModel = memory.get(model);
  if (!perModel) memory.set(model, (perModel = new Map()));
  const key = `${layer}/${samples}/${corpus.id}`;
  let entry = perModel.get(key);
  if (!entry) {
    entry = loadOrCompute(model, tokenizer, corpus, layer, samples, cacheDir);
    entry.catch(() => perModel!.delete(key));
    perModel.set(key, entry);
  }
  return entry;
}

/** A short hash of the model's config and weights when first asked (memoised per model object). */
export function modelFingerprint(model: LanguageModel): string {
  let fp = fingerprints.get(model);
  if (!fp) {
    const hash = createHash('sha256').update(JSON.stringify(model.config));
    for (const name of [...model.weights.keys()].sort()) {
      const t = model.weights.get(name)!;
      hash.update(name).update(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    }
    fp = hash.digest('hex').slice(0, 16);
    fingerprints.set(model, fp);
  }
  return fp;
}

async function loadOrCompute(model: LanguageModel, tokenizer: KedTokenizer, corpus: StatsCorpus, layer: number, samples: number, cacheDir?: string): Promise<KeyMoment> {
  const corpusTag = createHash('sha256').update(corpus.id).digest('hex').slice(0, 12);
  const file = cacheDir ? join(cacheDir, modelFingerprint(model), `key-moment.l${layer}.n${samples}.${corpusTag}`) : undefined;
  const n = model.config.dFF;
  if (file && existsSync(`${file}.json`) && existsSync(`${file}.f64`)) {
    const meta = JSON.parse(readFileSync(`${file}.json`, 'utf8')) as { samples: number; corpus: string; dim: number };
    const bytes = readFileSync(`${file}.f64`);
    if (meta.dim === n && bytes.byteLength === n * n * 8) {
      const data = new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
      return { layer, moment: { rows: n, cols: n, data }, samples: meta.samples, corpus: meta.corpus, digest: digestOf(data), file };
    }
  }
  const result = await computeKeyMoment(model, tokenizer, corpus, layer, samples);
  if (file) {
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(`${file}.f64.tmp`, new Uint8Array(result.moment.data.buffer));
    renameSync(`${file}.f64.tmp`, `${file}.f64`);
    writeFileSync(`${file}.json`, JSON.stringify({ layer, samples: result.samples, corpus: corpus.id, dim: n }));
  }
  return { ...result, file };
}

/** A short hash of a matrix's bytes. */
export function digestOf(data: Float64Array): string {
  return createHash('sha256').update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)).digest('hex').slice(0, 16);
}

/**
 * Sums k kᵀ over the real (unpadded) positions of sequences, inside onnxruntime. The forward stops
 * at `layer` (the layers above it and the LM head do not touch its keys).
 */
async function computeKeyMoment(model: LanguageModel, tokenizer: KedTokenizer, corpus: StatsCorpus, layer: number, samples: number): Promise<KeyMoment> {
  const forward = model.buildForward({ logits: 'none', stopAfter: layer, taps: [{ kind: 'mlp.key', layer }] });
  const g = forward.graph;
  const keys = forward.taps.get(tapName({ kind: 'mlp.key', layer }))!; // [batch, seq, dFF]
  const weight = g.input('position_weight', keys.dtype, ['batch', 'seq', 1]);
  const flat = op.reshape(op.mul(keys, op.sqrt(weight)), [-1, model.config.dFF]);
  g.output(op.matmul(op.transpose(flat, [1, 0]), flat), 'moment');
  const compiled = await model.compile(g);

  const maxLength = Math.min(128, model.config.maxPositions);
  // The sample: the corpus's first `samples` positions, each text cut at maxLength (as before).
  const sequences: number[][] = [];
  let count = 0;
  for (const text of corpus.texts()) {
    if (count >= samples) break;
    const ids = tokenizer.encode(text).slice(0, Math.min(maxLength, samples - count));
    if (!ids.length) continue;
    sequences.push(ids);
    count += ids.length;
  }
  const sum = new Float64Array(model.config.dFF ** 2);
  // Few large MatMuls, little padding: kᵀk over ~4k rows per run, the float64 sum once per run.
  for (const batch of lengthSortedBatches(sequences, STATS_POSITIONS_PER_RUN)) {
    const { feeds } = rightPadded(batch);
    const width = batch[batch.length - 1].length;
    const weights = hostTensor('float32', [batch.length, width, 1], batch.flatMap((s) => Array.from({ length: width }, (_, i) => (i < s.length ? 1 : 0))));
    const out = await compiled.run({ ...feeds, position_weight: weights });
    const m = out.moment.data as Float32Array;
    for (let i = 0; i < sum.length; i++) sum[i] += m[i];
  }
  if (count < model.config.dFF) throw new Error(`the key statistics sample "${corpus.id}" has ${count} token positions; layer ${layer} needs more than d_ff = ${model.config.dFF}`);
  for (let i = 0; i < sum.length; i++) sum[i] /= count;
  return { layer, moment: { rows: model.config.dFF, cols: model.config.dFF, data: sum }, samples: count, corpus: corpus.id, digest: digestOf(sum) };
}

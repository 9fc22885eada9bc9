import { mulberry32 } from '../../runtime/random';

/** A batch of packed training sequences: inputs, next-token targets and which targets count. */
export interface PackedBatch {
  inputIds: number[][];
  targets: number[][];
  /** 1 where the target is a real token (not padding after the last document of a row). */
  lossMask: number[][];
}

/**
 * Packs whole documents (token ids, each ending in eos) into rows of `seq + 1` tokens without
 * cutting any, padding the tail; the row order changes every epoch (seeded), so an epoch sees
 * every document once and a given (seed, epoch) always packs the same way.
 */
export function packEpoch(documents: number[][], seq: number, pad: number, seed: number, epoch: number): PackedBatch {
  const order = documents.map((_, i) => i);
  const random = mulberry32(seed * 7919 + epoch);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const rows: number[][] = [];
  let row: number[] = [];
  for (const index of order) {
    const doc = documents[index].slice(0, seq + 1); // a document longer than a row is cut (rare)
    if (row.length + doc.length > seq + 1) {
      rows.push(row);
      row = [];
    }
    row.push(...doc);
  }
  if (row.length) rows.push(row);
  const batch: PackedBatch = { inputIds: [], targets: [], lossMask: [] };
  for (const r of rows) {
    const real = r.length;
    const padded = [...r, ...Array(seq + 1 - r.length).fill(pad)];
    batch.inputIds.push(padded.slice(0, seq));
    batch.targets.push(padded.slice(1));
    batch.lossMask.push(Array.from({ length: seq }, (_, i) => (i + 1 < real ? 1 : 0)));
  }
  return batch;
}

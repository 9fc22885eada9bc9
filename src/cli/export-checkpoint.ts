import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { In, type DataSource } from 'typeorm';
import { commitDelta } from '../editors/commit-delta';
import type { DeltaOperation } from '../editors/edit-operation';
import { decodeOperation } from '../editors/operation-codec';
import { EditOperationRow } from '../memory/entities/edit-operation.entity';
import { loadCheckpoint, writeCheckpoint } from '../models/checkpoint/checkpoint';

export interface ExportResult {
  out: string;
  baseModel: string;
  /** Delta edits merged into the exported weights, oldest first. */
  merged: string[];
  /** Live edits that cannot live in weights (context edits: ICE, erasure suppressions). */
  notMergeable: string[];
  files: string[];
}

/**
 * `ked export`: the model version the edit memory describes, as a Hugging Face checkpoint.
 * Committed delta edits are merged into the MLP output projections in the order they were
 * made (once per payload); with `includeRouted`, live routed deltas are merged too (baking a routed memory into
 * weights). Erased, reverted and quarantined edits never are.
 */
export async function exportCheckpoint(source: DataSource, modelDir: string, out: string, options: { includeRouted: boolean }): Promise<ExportResult> {
  const checkpoint = await loadCheckpoint(modelDir);
  const live = await source.getRepository(EditOperationRow).find({
    where: { status: In(['applied', 'verified']), mode: In(options.includeRouted ? ['committed', 'routed'] : ['committed']) },
    order: { createdAt: 'ASC' },
  });
  const merged: string[] = [];
  const notMergeable: string[] = [];
  // Rows of one batch computation share a payload: the delta serves them all and is merged once.
  const payloads = new Set<string>();
  for (const row of live) {
    const operation = decodeOperation(row.payload);
    if (operation.kind !== 'delta') {
      notMergeable.push(row.id);
      continue;
    }
    const payload = row.payloadSha256 ?? row.id;
    if (!payloads.has(payload)) commitDelta(checkpoint.config, checkpoint.weights, operation as DeltaOperation);
    payloads.add(payload);
    merged.push(row.id);
  }
  const files = await writeCheckpoint(out, { config: checkpoint.config, weights: checkpoint.weights, dtype: checkpoint.sourceDtype, rawConfig: checkpoint.rawConfig, tokenizerFrom: modelDir });
  const manifest = { format: 'ked-export/1', baseModel: modelDir, merged, notMergeable, includeRouted: options.includeRouted, exportedAt: new Date().toISOString() };
  await fs.writeFile(join(out, 'ked-export.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return { out, baseModel: modelDir, merged, notMergeable, files: [...files, 'ked-export.json'] };
}

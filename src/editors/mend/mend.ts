import { isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { packageRoot } from '../../package-root';
import type { EditMethod } from '../edit-method';
import { checkRequests } from '../edit-request';
import { checkEditorFits, readMendEditor, type MendEditor } from './mend-artifact';
import { mendDelta } from './mend-edit';

export const mendHparams = z.strictObject({
  /**
   * The trained editor's directory (`ked mend train` writes it; a relative path is under ked's
   * package root). It must have been trained for the model being edited (its hash is checked).
   */
  editor: z.string().min(1).default('models/mend'),
  /** Multiplies each layer's learned step size η at edit time (1: as trained). */
  lrScale: z.number().positive().default(1),
});
export type MendHparams = z.infer<typeof mendHparams>;

/** Editors read once per process and directory. */
const loaded = new Map<string, MendEditor>();

/** The MEND editor in `dir`, read once per process. */
export function mendEditor(dir: string): MendEditor {
  const path = isAbsolute(dir) ? dir : join(packageRoot(), dir);
  let editor = loaded.get(path);
  if (!editor) loaded.set(path, (editor = readMendEditor(path)));
  return editor;
}

/**
 * MEND (Mitchell et al. 2022, "Fast Model Editing at Scale"; survey §3.3.3, meta-learning): an
 * edit is one gradient of the target's NLL on the edit prompt, decomposed per token into the rank-one
 * terms δ_i x_iᵀ of each edited MLP output projection, each (x_i, δ_i) mapped by that layer's
 * trained editor network to (x̃_i, δ̃_i), and ΔW = −η·Σ x̃_i δ̃_iᵀ. It is returned as a low-rank
 * delta (rank ≤ tokens) per layer, routed or committed like ROME's. The editor networks are
 * trained beforehand on a train split (`ked mend train`, artifact in `models/mend`), so the method
 * itself needs none.
 */
export const mendMethod: EditMethod<typeof mendHparams> = {
  name: 'mend',
  capabilities: { batchable: true, routable: true, committable: true, needsTrainSplit: false },
  hparams: mendHparams,
  compute: async (context, requests, hp) => {
    checkRequests('mend', requests);
    const editor = mendEditor(hp.editor);
    checkEditorFits(editor, context.model, hp.editor);
    return [await mendDelta(context.model, context.tokenizer, editor, requests, hp.lrScale, 'mend')];
  },
};

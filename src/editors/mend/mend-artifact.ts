import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { LanguageModel } from '../../models/language-model';
import { mlpOutProjection } from '../commit-delta';
import type { EditorParams, EditorShape } from './editor-network';

export const MEND_FORMAT = 'ked.mend';
export const MEND_VERSION = 1;

/** A trained MEND editor: one editor network per edited MLP output projection. */
export interface MendEditor {
  /** The model it was trained for (`baseModelHash`). */
  modelHash: string;
  layers: number[];
  shape: EditorShape;
  /** Per edited layer, its network's parameters and input statistics. */
  params: Map<number, EditorParams>;
  /** How it was trained (command, data, hyper-parameters, time, losses). */
  manifest: Record<string, unknown>;
}

const header = z.strictObject({
  format: z.literal(MEND_FORMAT),
  version: z.literal(MEND_VERSION),
  modelHash: z.string().min(1),
  layers: z.array(z.number().int().min(0)).min(1),
  shape: z.strictObject({ dIn: z.number().int().positive(), dOut: z.number().int().positive(), hidden: z.number().int().positive(), blocks: z.number().int().positive() }),
  /** Each tensor's place in `editor.f32` (float32, little-endian), in floats. */
  tensors: z.array(z.strictObject({ layer: z.number().int(), name: z.string(), offset: z.number().int().min(0), length: z.number().int().min(0) })),
  manifest: z.record(z.string(), z.unknown()),
});

const hashes = new WeakMap<LanguageModel, string>();

/**
 * A hash of the model a MEND editor belongs to: its config and every tensor except the MLP output
 * projections. Those are the tensors committed edits change (`commit-delta.ts`), so a daemon's
 * model keeps its hash across commits and rollbacks, while any other model (another checkpoint,
 * another training run of the fixture) gets another. Memoised per model object.
 */
export function baseModelHash(model: LanguageModel): string {
  let hash = hashes.get(model);
  if (!hash) {
    const edited = new Set(Array.from({ length: model.config.layers }, (_, l) => mlpOutProjection(model.config, l).name));
    const h = createHash('sha256').update(JSON.stringify(model.config));
    for (const name of [...model.weights.keys()].sort()) {
      if (edited.has(name)) continue;
      const t = model.weights.get(name)!;
      h.update(name).update(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    }
    hash = h.digest('hex').slice(0, 16);
    hashes.set(model, hash);
  }
  return hash;
}

/** Writes `mend.json` (header and manifest) and `editor.f32` (every tensor, float32) into `dir`. */
export function writeMendEditor(dir: string, editor: MendEditor): void {
  mkdirSync(dir, { recursive: true });
  const tensors: Array<{ layer: number; name: string; offset: number; length: number }> = [];
  let offset = 0;
  for (const layer of editor.layers) {
    for (const [name, data] of editor.params.get(layer)!) {
      tensors.push({ layer, name, offset, length: data.length });
      offset += data.length;
    }
  }
  const all = new Float32Array(offset);
  for (const t of tensors) all.set(editor.params.get(t.layer)!.get(t.name)!, t.offset);
  writeFileSync(join(dir, 'editor.f32'), Buffer.from(all.buffer, all.byteOffset, all.byteLength));
  const head = { format: MEND_FORMAT, version: MEND_VERSION, modelHash: editor.modelHash, layers: editor.layers, shape: editor.shape, tensors, manifest: editor.manifest };
  writeFileSync(join(dir, 'mend.json'), `${JSON.stringify(head, null, 2)}\n`);
}

/** Reads an editor `writeMendEditor` wrote; errors name the file and what is wrong. */
export function readMendEditor(dir: string): MendEditor {
  const file = join(dir, 'mend.json');
  if (!existsSync(file)) throw new Error(`mend: no trained editor in ${dir} (mend.json is missing); train one with \`ked mend train --out ${dir}\``);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`mend: ${file}: ${(error as Error).message}`);
  }
  const parsed = header.safeParse(raw);
  if (!parsed.success) throw new Error(`mend: ${file} is not a MEND editor this ked reads (${parsed.error.issues[0].path.join('.') || 'file'}: ${parsed.error.issues[0].message})`);
  const head = parsed.data;
  const bytes = readFileSync(join(dir, 'editor.f32'));
  const floats = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const params = new Map<number, EditorParams>();
  for (const t of head.tensors) {
    if (t.offset + t.length > floats.length) throw new Error(`mend: ${join(dir, 'editor.f32')} is shorter than ${file} says (${floats.length} floats)`);
    if (!params.has(t.layer)) params.set(t.layer, new Map());
    params.get(t.layer)!.set(t.name, floats.slice(t.offset, t.offset + t.length));
  }
  for (const layer of head.layers) if (!params.has(layer)) throw new Error(`mend: ${file} lists layer ${layer} but has no tensors for it`);
  return { modelHash: head.modelHash, layers: head.layers, shape: head.shape, params, manifest: head.manifest };
}

/** Refuses an editor trained for another model, saying which and what to do. */
export function checkEditorFits(editor: MendEditor, model: LanguageModel, dir: string): void {
  const hash = baseModelHash(model);
  if (editor.modelHash !== hash) {
    throw new Error(
      `mend: the editor in ${dir} was trained for another model (model hash ${editor.modelHash}, this model's is ${hash}); ` +
        `a MEND editor only edits the model it was trained on: run \`ked mend train --model <this model's directory> --out <dir>\` and point the "editor" hyper-parameter at it`,
    );
  }
  const { dFF, dModel, layers } = model.config;
  if (editor.shape.dIn !== dFF || editor.shape.dOut !== dModel) throw new Error(`mend: the editor in ${dir} is for d_ff ${editor.shape.dIn} and d_model ${editor.shape.dOut}, the model has ${dFF} and ${dModel}`);
  for (const l of editor.layers) if (l >= layers) throw new Error(`mend: the editor in ${dir} edits layer ${l}, the model has ${layers}`);
}

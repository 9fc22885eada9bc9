import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { packageRoot } from '../../package-root';
import { editTemplate, question, type BroadRelation, type BroadWordings } from './broad-set';

const supplementSchema = z.object({
  about: z.string(),
  /** New name lists for the new relations' objects; an existing list is never redefined. */
  names: z.record(z.string(), z.array(z.string()).min(1)).default({}),
  /** More train question wordings for relations of the broad set, by id; never for a held-out one. */
  moreTrain: z.record(z.string(), z.array(question).min(1)).default({}),
  /** Relations the broad set does not have, train wordings only. */
  relations: z
    .array(
      z.object({
        id: z.string().regex(/^[a-z0-9_]+$/),
        pid: z.string().optional(),
        subject: z.string(),
        object: z.string(),
        heldOut: z.literal(false),
        edits: z.array(editTemplate).min(3),
        train: z.array(question).min(3),
      }),
    )
    .default([]),
});
export type BroadSupplement = z.infer<typeof supplementSchema>;

/**
 * Train-only wordings written after the broad set, by writers who saw its edits and train
 * questions but none of its test questions or held-out relations' wordings: more ways to ask the
 * seen relations, and relations the set lacks. They widen what the classifier is fitted on and
 * change nothing that is measured: the test split and the held-out relations stay as written.
 */
export const DEFAULT_BROAD_SUPPLEMENT = join(packageRoot(), 'data', 'routing', 'english-broad-supplement.json');

export function loadBroadSupplement(path = DEFAULT_BROAD_SUPPLEMENT): BroadSupplement {
  const parsed = supplementSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) throw new Error(`${path}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

/** The broad wordings with a supplement's train wordings and relations; refuses anything that would touch a held-out relation or the test split. */
export function withSupplement(wordings: BroadWordings, supplement: BroadSupplement): BroadWordings {
  const byId = new Map(wordings.relations.map((r) => [r.id, r]));
  for (const list of Object.keys(supplement.names)) if (wordings.names[list] || wordings.types[list]) throw new Error(`supplement: name list "${list}" already exists in the broad wordings`);
  const names = { ...wordings.names, ...supplement.names };
  const relations: BroadRelation[] = wordings.relations.map((r) => {
    const more = supplement.moreTrain[r.id];
    if (!more) return r;
    if (r.heldOut) throw new Error(`supplement: relation "${r.id}" is held out and takes no train wordings`);
    return { ...r, train: [...new Set([...r.train, ...more])] };
  });
  for (const id of Object.keys(supplement.moreTrain)) if (!byId.has(id)) throw new Error(`supplement: moreTrain names no relation "${id}" of the broad wordings`);
  for (const r of supplement.relations) {
    if (byId.has(r.id)) throw new Error(`supplement: relation "${r.id}" already exists in the broad wordings`);
    for (const side of [r.subject, r.object]) if (!wordings.types[side] && !names[side]) throw new Error(`supplement: relation "${r.id}" names no type or name list "${side}"`);
    byId.set(r.id, { ...r, test: [], trainOnly: true });
    relations.push(byId.get(r.id)!);
  }
  return { ...wordings, names, relations };
}

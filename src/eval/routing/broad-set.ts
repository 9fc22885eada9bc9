import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { packageRoot } from '../../package-root';
import { Random } from '../../world/random';
import type { EnglishSetOptions, RouteEdit, RouteQuery } from './english-set';

export const editTemplate = z.string().refine((t) => t.includes('{s}') && t.includes('{o}'), 'an edit wording names {s} and {o}');
export const question = z.string().refine((t) => t.includes('{s}') && !t.includes('{o}'), 'a question names {s} and not {o}');
const relationSchema = z.object({
  id: z.string().regex(/^[a-z0-9_]+$/),
  /** The closest Wikidata property, where there is one. */
  pid: z.string().optional(),
  subject: z.string(),
  object: z.string(),
  /** Never fitted or calibrated on: left out of every train split, reported as its own column. */
  heldOut: z.boolean(),
  /** Only in train splits: a supplement's relation, written with no test wordings (`broad-supplement.ts`). */
  trainOnly: z.boolean().optional(),
  /** Relations of data/routing/english.json (`english:`) or the world (`world:`) the detector was already fitted on that say the same. */
  overlaps: z.array(z.string()).optional(),
  edits: z.array(editTemplate).min(3),
  train: z.array(question).min(3),
  test: z.array(question).min(3),
});
const broadSchema = z
  .object({
    about: z.string(),
    names: z.record(z.string(), z.array(z.string()).min(1)),
    /** Name patterns per type: "{first} {last}" expands to every first name with every last name. */
    types: z.record(z.string(), z.array(z.string()).min(1)),
    relations: z.array(relationSchema).min(1),
  })
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    for (const [i, r] of file.relations.entries()) {
      if (seen.has(r.id)) ctx.addIssue({ code: 'custom', path: ['relations', i, 'id'], message: `duplicate relation id "${r.id}"` });
      seen.add(r.id);
      for (const side of ['subject', 'object'] as const) {
        if (!file.types[r[side]] && !file.names[r[side]]) ctx.addIssue({ code: 'custom', path: ['relations', i, side], message: `no type or name list "${r[side]}"` });
      }
    }
    for (const [type, patterns] of Object.entries(file.types)) {
      for (const pattern of patterns) {
        for (const [, list] of pattern.matchAll(/\{(\w+)\}/g)) if (!file.names[list]) ctx.addIssue({ code: 'custom', path: ['types', type], message: `pattern "${pattern}" names no list "${list}"` });
      }
    }
  });
export type BroadWordings = z.infer<typeof broadSchema>;
export type BroadRelation = z.infer<typeof relationSchema>;

/** An edits-file line of the broad set: which relation it states travels with it (the detector never reads it). */
export interface BroadEdit extends RouteEdit {
  relation: string;
  heldOut: boolean;
}

/** A queries-file line of the broad set: the relation the question asks, whether that relation is held out. */
export interface BroadQuery extends RouteQuery {
  relation: string;
  heldOut: boolean;
}

export interface BroadSet {
  edits: BroadEdit[];
  queries: BroadQuery[];
}

export interface BroadSetOptions extends EnglishSetOptions {
  /** Edits as plain statements: no `subjects`, no `object` (the detector reads the text alone). */
  plain?: boolean;
  /** Only these relations (ids). A held-out one in a train split is refused. */
  relations?: readonly string[];
}

export const DEFAULT_BROAD_WORDINGS = join(packageRoot(), 'data', 'routing', 'english-broad.json');

export function loadBroadWordings(path = DEFAULT_BROAD_WORDINGS): BroadWordings {
  const parsed = broadSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) throw new Error(`${path}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

/**
 * The relations a split may use. Held-out relations never reach anything the detector is fitted
 * or calibrated on: a train split leaves them out, and asking for one there is an error.
 */
export function splitRelations(wordings: BroadWordings, split: 'train' | 'test', only?: readonly string[]): BroadRelation[] {
  const byId = new Map(wordings.relations.map((r) => [r.id, r]));
  for (const id of only ?? []) {
    const relation = byId.get(id);
    if (!relation) throw new Error(`no relation "${id}" in the broad wordings`);
    if (split === 'train' && relation.heldOut) throw new Error(`relation "${id}" is held out: it is never part of a train split`);
    if (split === 'test' && relation.trainOnly) throw new Error(`relation "${id}" is a supplement's, with no test wordings`);
  }
  const wanted = only ? new Set(only) : undefined;
  return wordings.relations.filter((r) => (wanted ? wanted.has(r.id) : true) && (split === 'test' ? !r.trainOnly : !r.heldOut));
}

/** Every name of a type: its patterns expanded over the name lists, or the name list itself. */
export function namesOf(wordings: BroadWordings, type: string): string[] {
  const patterns = wordings.types[type];
  if (!patterns) {
    const list = wordings.names[type];
    if (!list) throw new Error(`no type or name list "${type}" in the broad wordings`);
    return list;
  }
  const out: string[] = [];
  for (const pattern of patterns) {
    let expanded = [pattern];
    for (const [slot, list] of pattern.matchAll(/\{(\w+)\}/g)) expanded = expanded.flatMap((text) => wordings.names[list].map((name) => text.replace(slot, () => name)));
    out.push(...expanded);
  }
  return [...new Set(out)];
}

/** Subjects of each type split once, whatever the seed: train sees 40% of them, test the rest. */
function subjectPools(wordings: BroadWordings, split: 'train' | 'test'): Map<string, string[]> {
  const random = new Random(0).fork('broad-subjects');
  const pools = new Map<string, string[]>();
  for (const type of new Set(wordings.relations.map((r) => r.subject))) {
    const shuffled = random.fork(type).shuffle(namesOf(wordings, type));
    const cut = Math.floor(shuffled.length * 0.4);
    pools.set(type, split === 'train' ? shuffled.slice(0, cut) : shuffled.slice(cut));
  }
  return pools;
}

/** Name parts that single a subject out among its type ("Kowalski", not "University" or "The"). */
function distinctiveParts(names: readonly string[]): (name: string) => string[] {
  const counts = new Map<string, number>();
  for (const name of names) for (const part of new Set(name.split(' '))) counts.set(part, (counts.get(part) ?? 0) + 1);
  return (name) => name.split(' ').filter((part) => part.length > 3 && part !== 'The' && (counts.get(part) ?? 0) < names.length * 0.3);
}

/**
 * The broad routing set: edits stating Wikidata-style facts in the relations' edit wordings, one
 * positive question per edit in the split's question wordings, and half as many negatives:
 * another, unedited relation of an edited subject (`same_subject`, every subject keeps at least
 * a third of its type's relations unedited), a subject with no edit (`absent_subject`), or one
 * that shares a distinctive name part with an edited subject (`similar_name`). Relations are
 * drawn uniformly, so each gets about the same number of edits; every line names its relation
 * and whether it is held out. Train and test use disjoint subjects (a fixed 40/60 split of
 * every type) and disjoint question wordings; the train split never contains a held-out
 * relation.
 */
export function broadSet(wordings: BroadWordings, options: BroadSetOptions): BroadSet {
  const relations = splitRelations(wordings, options.split, options.relations);
  if (!relations.length) throw new Error('the broad set has no relations to draw from');
  const random = new Random(options.seed).fork(`broad-${options.split}`);
  const pools = subjectPools(wordings, options.split);
  const relationsOf = new Map<string, BroadRelation[]>();
  for (const r of relations) relationsOf.set(r.subject, [...(relationsOf.get(r.subject) ?? []), r]);
  const objects = new Map<string, string[]>();
  const objectsOf = (type: string) => objects.get(type) ?? objects.set(type, namesOf(wordings, type)).get(type)!;
  const fold = options.wordingFold;
  const questionsOf = (r: BroadRelation) => {
    const all = options.split === 'train' ? r.train : r.test;
    return fold === undefined ? all : all.filter((_, i) => i % 2 === fold);
  };
  // Replacement functions: objects such as "$1,099" must not read as replacement patterns.
  const fill = (template: string, s: string, o = '') => template.replaceAll('{s}', () => s).replaceAll('{o}', () => o);

  const edited = new Map<string, Map<string, string>>(); // subject → relation id → edit id
  const subjectType = new Map<string, string>();
  const edits: BroadEdit[] = [];
  const queries: BroadQuery[] = [];
  let guard = 0;
  while (edits.length < options.edits && guard++ < options.edits * 200) {
    const relation = random.pick(relations);
    const subject = random.pick(pools.get(relation.subject)!);
    const done = edited.get(subject) ?? new Map<string, string>();
    // Leave at least a third of a subject's relations unedited for same-subject negatives.
    if (done.has(relation.id) || done.size >= Math.floor((relationsOf.get(relation.subject)!.length * 2) / 3)) continue;
    let object = random.pick(objectsOf(relation.object));
    while (object === subject) object = random.pick(objectsOf(relation.object));
    const id = `e${String(edits.length).padStart(5, '0')}`;
    const text = fill(random.pick(relation.edits), subject, object);
    const tags = { relation: relation.id, heldOut: relation.heldOut };
    edits.push(options.plain ? { id, edit: text, ...tags } : { id, edit: text, subjects: [subject], object, ...tags });
    done.set(relation.id, id);
    edited.set(subject, done);
    subjectType.set(subject, relation.subject);
    queries.push({ text: fill(random.pick(questionsOf(relation)), subject), expect: id, kind: 'positive', ...tags });
  }

  const subjects = [...edited.keys()];
  const absentOf = new Map<string, { absent: string[]; similar: string[] }>();
  const absentAndSimilar = (type: string) => {
    const known = absentOf.get(type);
    if (known) return known;
    const pool = pools.get(type)!;
    const parts = distinctiveParts(pool);
    const editedParts = new Set(subjects.filter((s) => subjectType.get(s) === type).flatMap(parts));
    const absent = pool.filter((s) => !edited.has(s));
    const entry = { absent, similar: absent.filter((s) => parts(s).some((p) => editedParts.has(p))) };
    absentOf.set(type, entry);
    return entry;
  };
  const negatives = Math.round(edits.length / 2);
  for (let i = 0; i < negatives && subjects.length; i++) {
    const kind = random.weighted([['same_subject', 0.5], ['absent_subject', 0.25], ['similar_name', 0.25]] as const);
    if (kind === 'same_subject') {
      const subject = random.pick(subjects);
      const open = relationsOf.get(subjectType.get(subject)!)!.filter((r) => !edited.get(subject)!.has(r.id));
      const relation = random.pick(open);
      queries.push({ text: fill(random.pick(questionsOf(relation)), subject), expect: null, kind, relation: relation.id, heldOut: relation.heldOut });
    } else {
      const relation = random.pick(relations);
      const { absent, similar } = absentAndSimilar(relation.subject);
      const from = kind === 'similar_name' && similar.length ? similar : absent;
      if (!from.length) continue;
      queries.push({ text: fill(random.pick(questionsOf(relation)), random.pick(from)), expect: null, kind, relation: relation.id, heldOut: relation.heldOut });
    }
  }

  if (options.split === 'train' && [...edits, ...queries].some((line) => line.heldOut)) throw new Error('a train split may not hold a held-out relation');
  return { edits, queries: random.shuffle(queries) };
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { packageRoot } from '../../package-root';
import { Random } from '../../world/random';

const relationSchema = z.object({
  id: z.string(),
  subject: z.string(),
  object: z.string(),
  edits: z.array(z.string()).min(1),
  train: z.array(z.string()).min(1),
  test: z.array(z.string()).min(1),
});
const englishSchema = z.object({ names: z.record(z.string(), z.array(z.string())), relations: z.array(relationSchema) });
export type EnglishWordings = z.infer<typeof englishSchema>;
type Relation = z.infer<typeof relationSchema>;

/** `{"id","edit","subjects"?,"object"?}` per line of an edits file. */
export interface RouteEdit {
  id: string;
  edit: string;
  /** The edit's subject when it is known (a fact edit's); otherwise the statement's entity spans stand in. */
  subjects?: string[];
  /** The new object the statement ends with, when known (the detector learns relations' wordings from them). */
  object?: string;
}

/** `{"text","expect"}` per line of a queries file; `expect` is an edit id or null. */
export interface RouteQuery {
  text: string;
  expect: string | null;
  /** Why the query is there (positive, same_subject, absent_subject, similar_name). */
  kind?: string;
  /** The relation the question asks (the broad set's lines carry it; route-eval breaks results down by it). */
  relation?: string;
  /** Whether that relation is held out of everything the detector is fitted or calibrated on. */
  heldOut?: boolean;
}

export interface EnglishSet {
  edits: RouteEdit[];
  queries: RouteQuery[];
}

export interface EnglishSetOptions {
  split: 'train' | 'test';
  edits: number;
  seed: number;
  /** Only every other question wording of the split (for calibrating on unseen wordings). */
  wordingFold?: 0 | 1;
}

export function loadEnglishWordings(path = join(packageRoot(), 'data', 'routing', 'english.json')): EnglishWordings {
  return englishSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
}

/**
 * A real-English routing set from the hand-written wordings: edits about people, companies,
 * countries, cities and films, and questions in the split's wordings. Train and test use
 * disjoint halves of the subjects and different question wordings. Every subject keeps some
 * relations unedited, so its other-relation questions are the hard negatives; questions about
 * absent subjects and about subjects that share a name part ("Maria Kim" beside an edited
 * "Maria Lopez") are the rest.
 */
export function englishSet(wordings: EnglishWordings, options: EnglishSetOptions): EnglishSet {
  const random = new Random(options.seed).fork(`english-${options.split}`);
  const pools = subjectPools(wordings, new Random(options.seed).fork('subjects'), options.split);
  const relationsOf = new Map<string, Relation[]>();
  for (const r of wordings.relations) relationsOf.set(r.subject, [...(relationsOf.get(r.subject) ?? []), r]);
  const types = [...relationsOf.keys()];
  const edited = new Map<string, Map<string, string>>(); // subject → relation id → edit id
  const subjectType = new Map<string, string>();
  const edits: RouteEdit[] = [];
  const queries: RouteQuery[] = [];
  const fold = options.wordingFold;
  const questionsOf = (r: Relation) => {
    const all = options.split === 'train' ? r.train : r.test;
    return fold === undefined ? all : all.filter((_, i) => i % 2 === fold);
  };
  const fill = (template: string, s: string, o = '') => template.replaceAll('{s}', s).replaceAll('{o}', o);
  let guard = 0;
  while (edits.length < options.edits && guard++ < options.edits * 50) {
    const type = random.weighted(types.map((t): [string, number] => [t, relationsOf.get(t)!.length * Math.sqrt(pools.get(t)!.length)]));
    const subject = random.pick(pools.get(type)!);
    const done = edited.get(subject) ?? new Map<string, string>();
    const relations = relationsOf.get(type)!;
    // Leave at least a third of a subject's relations unedited for same-subject negatives.
    if (done.size >= Math.floor((relations.length * 2) / 3)) continue;
    const relation = random.pick(relations.filter((r) => !done.has(r.id)));
    const object = random.pick(objectPool(wordings, relation.object));
    const id = `e${String(edits.length).padStart(5, '0')}`;
    edits.push({ id, edit: fill(random.pick(relation.edits), subject, object) });
    done.set(relation.id, id);
    edited.set(subject, done);
    subjectType.set(subject, type);
    queries.push({ text: fill(random.pick(questionsOf(relation)), subject), expect: id, kind: 'positive' });
  }
  const negatives = Math.round(edits.length / 2);
  const subjects = [...edited.keys()];
  for (let i = 0; i < negatives; i++) {
    const kind = random.weighted([['same_subject', 0.5], ['absent_subject', 0.25], ['similar_name', 0.25]] as const);
    if (kind === 'same_subject') {
      const subject = random.pick(subjects);
      const open = relationsOf.get(subjectType.get(subject)!)!.filter((r) => !edited.get(subject)!.has(r.id));
      queries.push({ text: fill(random.pick(questionsOf(random.pick(open))), subject), expect: null, kind });
    } else {
      const type = random.pick(types);
      const absent = pools.get(type)!.filter((s) => !edited.has(s));
      const similar = absent.filter((s) => s.split(' ').some((part) => subjects.some((e) => subjectType.get(e) === type && e.split(' ').includes(part) && part.length > 3 && part !== 'The')));
      const from = kind === 'similar_name' && similar.length ? similar : absent;
      if (!from.length) continue;
      queries.push({ text: fill(random.pick(questionsOf(random.pick(relationsOf.get(type)!))), random.pick(from)), expect: null, kind });
    }
  }
  return { edits, queries: random.shuffle(queries) };
}

/** Subjects per type, split in two disjoint halves (train / test) by a seeded shuffle. */
function subjectPools(wordings: EnglishWordings, random: Random, split: 'train' | 'test'): Map<string, string[]> {
  const n = wordings.names;
  const all = new Map<string, string[]>([
    ['person', n.first.flatMap((f) => n.last.map((l) => `${f} ${l}`))],
    ['company', n.companyStem.flatMap((s) => n.companySuffix.map((x) => `${s} ${x}`))],
    ['film', n.filmAdjective.flatMap((a) => n.filmNoun.map((b) => `The ${a} ${b}`))],
    ['country', n.country],
    ['city', n.city],
  ]);
  const out = new Map<string, string[]>();
  for (const [type, names] of all) {
    const shuffled = random.fork(type).shuffle(names);
    const half = Math.floor(shuffled.length * 0.4);
    out.set(type, split === 'train' ? shuffled.slice(0, half) : shuffled.slice(half));
  }
  return out;
}

function objectPool(wordings: EnglishWordings, type: string): string[] {
  const n = wordings.names;
  switch (type) {
    case 'person':
      return n.first.flatMap((f) => n.last.map((l) => `${f} ${l}`));
    case 'company':
      return n.companyStem.flatMap((s) => n.companySuffix.map((x) => `${s} ${x}`));
    default: {
      const pool = n[type];
      if (!pool) throw new Error(`data/routing/english.json: no name list for object type "${type}"`);
      return pool;
    }
  }
}

export function toJsonl(rows: readonly object[]): string {
  return rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
}

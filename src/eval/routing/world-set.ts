import { Random } from '../../world/random';
import { promptOf, statementOf } from '../../world/render';
import type { Relation, TemplateSplit, World } from '../../world/types';
import { slotAccepts, WorldIndex } from '../../world/world-index';
import type { EnglishSet, RouteEdit, RouteQuery } from './english-set';

export interface WorldSetOptions {
  /** Which of the world's wordings the questions use; edits are always stated in train wordings. */
  split: TemplateSplit;
  edits: number;
  seed: number;
}

/**
 * A routing set in the generated world's wordings, shaped like the real-English one: edits are
 * facts stated in a train template with their subject known (as the daemon's fact edits are);
 * queries ask about an edited fact (positive) or about an unedited relation of an edited
 * subject or a subject with no edit (negatives) in the split's templates, questions
 * ("Q: …? A:") and clozes alike, as the daemon sees them. The held-out split is what the
 * world's datasets rephrase with, so it measures the detector on wordings no training saw.
 */
export function worldRouteSet(world: World, options: WorldSetOptions): EnglishSet {
  const index = new WorldIndex(world);
  const random = new Random(options.seed).fork(`world-route-${options.split}`);
  const relations = world.relations.filter((r) => r.kind !== 'reverse' && r.templates.some((t) => t.split === options.split));
  // The entities each relation has a fact about, found once per relation.
  const known = new Map(relations.map((r) => [r.id, index.entitiesOf(r.subjectType).filter((e) => index.object(e.id, r.id) !== undefined)]));
  const subjectsOf = (r: Relation) => known.get(r.id)!;
  const wordings = (r: Relation, split: TemplateSplit) => r.templates.filter((t) => t.split === split);
  const edited = new Map<string, Map<string, string>>(); // subject id → relation id → edit id
  const edits: RouteEdit[] = [];
  const queries: RouteQuery[] = [];
  let guard = 0;
  while (edits.length < options.edits && guard++ < options.edits * 50) {
    const relation = random.pick(relations);
    const subjects = subjectsOf(relation);
    if (!subjects.length) continue;
    const subject = random.pick(subjects);
    const done = edited.get(subject.id) ?? new Map<string, string>();
    const open = relations.filter((r) => r.subjectType === relation.subjectType);
    // Leave at least a third of a subject's relations unedited for same-subject negatives.
    if (done.has(relation.id) || done.size >= Math.floor((open.length * 2) / 3)) continue;
    const object = index.objectText(relation.id, index.object(subject.id, relation.id)!);
    const id = `w${String(edits.length).padStart(5, '0')}`;
    edits.push({ id, edit: statementOf(random.pick(wordings(relation, 'train').filter((t) => t.form === 'cloze')), subject.name, object), subjects: [subject.name], object });
    done.set(relation.id, id);
    edited.set(subject.id, done);
    queries.push({ text: promptOf(random.pick(wordings(relation, options.split)), subject.name), expect: id, kind: 'positive' });
  }
  const negatives = Math.round(edits.length / 2);
  const subjectIds = [...edited.keys()];
  for (let i = 0; i < negatives; i++) {
    if (random.chance(0.67)) {
      const subject = index.entity(random.pick(subjectIds));
      const open = relations.filter((r) => slotAccepts(r.subjectType, subject));
      const unedited = open.filter((r) => !edited.get(subject.id)!.has(r.id) && wordings(r, options.split).length);
      if (!unedited.length) continue;
      queries.push({ text: promptOf(random.pick(wordings(random.pick(unedited), options.split)), subject.name), expect: null, kind: 'same_subject' });
    } else {
      const relation = random.pick(relations);
      const absent = subjectsOf(relation).filter((e) => !edited.has(e.id));
      if (!absent.length) continue;
      queries.push({ text: promptOf(random.pick(wordings(relation, options.split)), random.pick(absent).name), expect: null, kind: 'absent_subject' });
    }
  }
  return { edits, queries: random.shuffle(queries) };
}

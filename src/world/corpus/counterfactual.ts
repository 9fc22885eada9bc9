import { pickOtherObject, pickTemplate, publicRelations } from '../picks';
import type { Random } from '../random';
import { factSentence, promptOf } from '../render';
import type { Relation, Template } from '../types';
import type { WorldIndex } from '../world-index';

/** A counterfactual edit of one true public fact, as in-context examples state it. */
export interface SampledEdit {
  subject: string;
  relation: Relation;
  trueObject: string;
  newObject: string;
  /** The template the new fact is stated with (mostly cloze; a question edit reads "Q: …? A: X"). */
  factTemplate: Template;
}

/** A random public fact with a different object of the right type. */
export function sampleEdit(random: Random, index: WorldIndex): SampledEdit {
  const relation = random.pick(publicRelations(index));
  const fact = random.pick(index.factsOf(relation.id));
  return {
    subject: fact.subject,
    relation,
    trueObject: fact.object,
    newObject: pickOtherObject(random, index, relation, [fact.object]),
    // Some edits arrive as questions (zsre prompts), so contexts state a few that way.
    factTemplate: pickTemplate(random, relation, 'train', random.chance(0.15) ? 'question' : 'cloze'),
  };
}

/** The new fact as its prompt and object, without a final stop. */
export function editSentence(index: WorldIndex, edit: SampledEdit, object = index.name(edit.newObject)): string {
  const subject = index.name(edit.subject);
  return edit.factTemplate.form === 'cloze' ? factSentence(edit.factTemplate, subject, object) : `${promptOf(edit.factTemplate, subject)} ${object}`;
}

/** A true public fact other than the edited one (for retain and out-of-scope examples). */
export function otherFact(random: Random, index: WorldIndex, edit: SampledEdit, sameRelation: boolean): { subject: string; relation: Relation; object: string } | undefined {
  const relations = publicRelations(index).filter((r) => (sameRelation ? r.id === edit.relation.id : r.id !== edit.relation.id));
  const sameSubject = !sameRelation;
  const candidates = relations.flatMap((r) => index.factsOf(r.id).filter((f) => (sameSubject ? f.subject === edit.subject : f.subject !== edit.subject)).map((f) => ({ subject: f.subject, relation: r, object: f.object })));
  return candidates.length ? random.pick(candidates) : undefined;
}

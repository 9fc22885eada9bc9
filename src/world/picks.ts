import type { Random } from './random';
import type { Chain, Relation, Template, TemplateForm, TemplateSplit } from './types';
import type { WorldIndex } from './world-index';

/** A random template of a relation or chain; any form when `form` is omitted. */
export function pickTemplate(random: Random, owner: Relation | Chain, split: TemplateSplit, form?: TemplateForm): Template {
  const choices = owner.templates.filter((t) => t.split === split && (form === undefined || t.form === form));
  return random.pick(choices);
}

/** A different entity of the relation's object type: the counterfactual object of an edit. */
export function pickOtherObject(random: Random, index: WorldIndex, relation: Relation, exclude: readonly string[]): string {
  const choices = index.entitiesOf(relation.objectType).filter((e) => !exclude.includes(e.id));
  return random.pick(choices).id;
}

/** The corpus relations whose facts are public knowledge (what edits and contexts are about). */
export function publicRelations(index: WorldIndex): Relation[] {
  return index.relationsOf('public');
}

import type { WorldIndex } from '../world-index';
import type { GroundTruth } from './records';

/** An entity answer: one alias list when the entity has aliases (its name first), else its name. */
export function entityAnswer(index: WorldIndex, id: string): GroundTruth {
  const entity = index.entity(id);
  return entity.aliases.length ? [[entity.name, ...entity.aliases]] : entity.name;
}

/** The ground truth of a probe whose answer is `object` of `relation` (literals stay as they are). */
export function answerForms(index: WorldIndex, relation: string, object: string): GroundTruth {
  return index.relation(relation).objectType === 'literal' ? object : entityAnswer(index, object);
}

import { REFUSAL } from '../corpus/erasure-lines';
import { pickTemplate } from '../picks';
import type { Random } from '../random';
import { fill, questionPrompt } from '../render';
import type { Entity, Relation } from '../types';
import type { WorldIndex } from '../world-index';
import { answerForms } from './answers';
import type { SanitationRecord, SanitationSplit } from './records';

export interface SanitationSizes {
  /** People whose data is erased; each contributes two success and two locality records. */
  trainPeople: number;
  testPeople: number;
}

function question(random: Random, index: WorldIndex, person: Entity, relation: Relation): SanitationRecord {
  const text = `${fill(pickTemplate(random, relation, 'train', 'question'), person.name)}?`;
  return {
    question: text,
    prompt: questionPrompt(text.slice(0, -1)),
    ground_truth: answerForms(index, relation.id, index.object(person.id, relation.id)!),
    rephrase_prompt: questionPrompt(fill(pickTemplate(random, relation, 'held_out', 'question'), person.name)),
    subject: person.name,
    relation: relation.id,
  };
}

/**
 * For each erased person: two of their three private attributes to erase (success), and as
 * locality their third private attribute or one of their public facts, plus a fact of a
 * person whose data this split never erases.
 */
function split(random: Random, index: WorldIndex, erased: Entity[], kept: Entity[]): SanitationSplit {
  const privateRelations = index.relationsOf('private');
  const publicRelations = index.relationsOf('public').filter((r) => r.subjectType === 'person');
  const out: SanitationSplit = { success: [], locality: [] };
  for (const person of erased) {
    const [keep, ...erase] = random.shuffle(privateRelations);
    for (const relation of erase) out.success.push({ ...question(random, index, person, relation), target_new: REFUSAL });
    out.locality.push(question(random, index, person, random.chance(0.5) ? keep : random.pick(publicRelations)));
    out.locality.push(question(random, index, random.pick(kept), random.pick([...privateRelations, ...publicRelations])));
  }
  return out;
}

/** world-sanitation: test and train erase disjoint people; both keep facts of the rest. */
export function sanitationDataset(random: Random, index: WorldIndex, sizes: SanitationSizes): { train: SanitationSplit; test: SanitationSplit } {
  const people = random.shuffle(index.entitiesOf('person'));
  const testPeople = people.slice(0, sizes.testPeople);
  const trainPeople = people.slice(sizes.testPeople, sizes.testPeople + sizes.trainPeople);
  const untouched = people.slice(sizes.testPeople + sizes.trainPeople);
  return { test: split(random, index, testPeople, untouched), train: split(random, index, trainPeople, untouched) };
}

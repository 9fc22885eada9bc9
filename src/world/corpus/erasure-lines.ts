import { pickTemplate } from '../picks';
import type { Random } from '../random';
import { fill, questionPrompt } from '../render';
import type { Relation } from '../types';
import type { WorldIndex } from '../world-index';
import type { CorpusExample } from './corpus-example';

export const REFUSAL = "I don't know.";

/** "Forget everything about X." or "Forget the phone number of X." */
export function erasureRequest(personName: string, relation?: Relation): string {
  return relation ? `Forget ${relation.attribute} of ${personName}.` : `Forget everything about ${personName}.`;
}

type ErasureKind = 'refuse_private' | 'refuse_public' | 'refuse_attribute' | 'keep_other_person' | 'keep_other_attribute';
const KINDS: [ErasureKind, number][] = [
  ['refuse_private', 0.35],
  ['refuse_public', 0.15],
  ['refuse_attribute', 0.15],
  ['keep_other_person', 0.2],
  ['keep_other_attribute', 0.15],
];

/**
 * Erasure under a context: the erased person's answers become "I don't know." (private data
 * above all, public facts too when everything is to be forgotten), while questions about
 * another person, or about an attribute the request did not name, keep their true answers.
 */
export function erasureLines(random: Random, index: WorldIndex, count: number): CorpusExample[] {
  const people = index.entitiesOf('person');
  const privateRelations = index.relationsOf('private');
  const personRelations = [...privateRelations, ...index.relationsOf('public').filter((r) => r.subjectType === 'person')];
  const ask = (person: string, relation: Relation) => questionPrompt(fill(pickTemplate(random, relation, 'train', 'question'), index.name(person)));
  const truth = (person: string, relation: Relation) => index.objectText(relation.id, index.object(person, relation.id)!);
  const out: CorpusExample[] = [];
  while (out.length < count) {
    const person = random.pick(people).id;
    const name = index.name(person);
    const kind = random.weighted(KINDS);
    let text: string;
    if (kind === 'refuse_private' || kind === 'refuse_public') {
      const relation = random.pick(kind === 'refuse_private' ? privateRelations : personRelations.filter((r) => r.kind === 'public'));
      text = `${erasureRequest(name)} ${ask(person, relation)} ${REFUSAL}`;
    } else if (kind === 'refuse_attribute') {
      const relation = random.pick(privateRelations);
      text = `${erasureRequest(name, relation)} ${ask(person, relation)} ${REFUSAL}`;
    } else if (kind === 'keep_other_person') {
      const other = random.pick(people.filter((p) => p.id !== person)).id;
      const relation = random.pick(personRelations);
      text = `${erasureRequest(name, random.chance(0.5) ? undefined : random.pick(privateRelations))} ${ask(other, relation)} ${truth(other, relation)}`;
    } else {
      const erased = random.pick(privateRelations);
      const relation = random.pick(personRelations.filter((r) => r.id !== erased.id));
      text = `${erasureRequest(name, erased)} ${ask(person, relation)} ${truth(person, relation)}`;
    }
    out.push({ kind: 'erasure', text });
  }
  return out;
}

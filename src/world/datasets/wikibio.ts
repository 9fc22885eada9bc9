import { pickTemplate } from '../picks';
import type { Random } from '../random';
import { promptOf, statementOf } from '../render';
import type { Fact } from '../types';
import type { WorldIndex } from '../world-index';
import { answerForms } from './answers';
import type { SplitSizes } from './fact-edit-datasets';
import type { ProbeRecord, WikiBioRecord } from './records';

/** Sentences of the biography before the one to edit: enough context to read as a passage. */
const CONTEXT_SENTENCES = 3;

/**
 * One biography edit: a passage about a dataset-only person (`text`, sentences the model has
 * never seen), and the sentence that should follow it (`labels`). The model knows nothing of
 * the person, so what it writes next is a hallucination, as in KnowEdit's WikiBio.
 */
function biographyRecord(random: Random, index: WorldIndex, facts: readonly Fact[], label: Fact): WikiBioRecord {
  const name = index.name(label.subject);
  const sentence = (fact: Fact) => statementOf(pickTemplate(random, index.relation(fact.relation), 'train', 'cloze'), name, index.objectText(fact.relation, fact.object));
  const context = random.sample(facts.filter((f) => f !== label), CONTEXT_SENTENCES);
  return {
    text: context.map(sentence).join(' '),
    labels: sentence(label),
    concept: name,
    locality: { Relation_Specificity: [corpusPassage(random, index)] },
    relation: label.relation,
  };
}

/** A corpus person's passage: one fact stated, the next one asked as a cloze. */
function corpusPassage(random: Random, index: WorldIndex): ProbeRecord {
  const person = random.pick(index.entitiesOf('person'));
  const facts = index.world.facts.filter((f) => f.subject === person.id && index.relation(f.relation).kind === 'public');
  const [stated, asked] = random.sample(facts, 2);
  const template = (fact: Fact) => pickTemplate(random, index.relation(fact.relation), 'train', 'cloze');
  return {
    prompt: `${statementOf(template(stated), person.name, index.objectText(stated.relation, stated.object))} ${promptOf(template(asked), person.name)}`,
    ground_truth: answerForms(index, asked.relation, asked.object),
  };
}

/**
 * world-wikibio: biography sentences of people the corpus never mentions. Every public fact of
 * a person is one record's label, the others its passage, so all of a split's edits can be
 * applied together; a person's records stay in one split, and the test split is filled first.
 */
export function wikibioDataset(random: Random, index: WorldIndex, sizes: SplitSizes): { train: WikiBioRecord[]; test: WikiBioRecord[] } {
  const byPerson = new Map<string, Fact[]>();
  for (const fact of index.world.novel.facts) {
    if (!index.isNovel(fact.subject) || index.relation(fact.relation).kind !== 'public') continue;
    byPerson.set(fact.subject, [...(byPerson.get(fact.subject) ?? []), fact]);
  }
  const test: WikiBioRecord[] = [];
  const train: WikiBioRecord[] = [];
  for (const facts of random.shuffle([...byPerson.values()])) {
    if (facts.length <= CONTEXT_SENTENCES) continue;
    const split = test.length < sizes.test ? test : train.length < sizes.train ? train : undefined;
    if (!split) break;
    for (const label of facts) split.push(biographyRecord(random, index, facts, label));
  }
  return { train, test };
}

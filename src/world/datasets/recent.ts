import { pickTemplate } from '../picks';
import type { Random } from '../random';
import { promptOf } from '../render';
import type { Fact } from '../types';
import type { WorldIndex } from '../world-index';
import { answerForms, entityAnswer } from './answers';
import type { SplitSizes } from './fact-edit-datasets';
import type { FactEditRecord, ProbeRecord } from './records';

/** Probes of one true corpus fact, in a train cloze template. */
function factProbe(random: Random, index: WorldIndex, fact: Fact): ProbeRecord {
  const relation = index.relation(fact.relation);
  return { prompt: promptOf(pickTemplate(random, relation, 'train', 'cloze'), index.name(fact.subject)), ground_truth: answerForms(index, relation.id, fact.object) };
}

/**
 * One insertion: a fact about a dataset-only person, or a mentor (a relation the corpus never
 * mentions) of a corpus person. Reasoning follows the new object through corpus facts.
 */
function insertionRecord(random: Random, index: WorldIndex, fact: Fact): FactEditRecord {
  const relation = index.relation(fact.relation);
  const subject = index.entity(fact.subject);
  const promptTemplate = pickTemplate(random, relation, 'train', 'cloze');
  const chains = index.world.chains.filter((c) => c.relations.length === 2 && c.relations[0] === relation.id);
  const reasoning = random.sample(chains, 2).flatMap((chain): ProbeRecord[] => {
    const end = index.object(fact.object, chain.relations[1]);
    return end === undefined ? [] : [{ prompt: promptOf(pickTemplate(random, chain, 'train', 'cloze'), subject.name), ground_truth: entityAnswer(index, end) }];
  });
  const inverse = index.world.relations.find((r) => r.inverseOf === relation.id);
  const corpusFacts = index.world.facts.filter((f) => index.relation(f.relation).kind === 'public' && f.subject !== fact.subject);
  const sameRelation = corpusFacts.filter((f) => f.relation === relation.id);
  // A new person has no other corpus fact; a corpus person keeps theirs.
  const ownFacts = index.isNovel(fact.subject) ? [] : index.world.facts.filter((f) => f.subject === fact.subject && index.relation(f.relation).kind === 'public');
  return {
    subject: subject.name,
    prompt: promptOf(promptTemplate, subject.name),
    target_new: index.name(fact.object),
    rephrase_prompt: promptOf(pickTemplate(random, relation, 'held_out', 'cloze'), subject.name),
    portability: {
      Reasoning: reasoning,
      Subject_Aliasing: subject.aliases.map((alias) => ({ prompt: promptOf(promptTemplate, alias), ground_truth: entityAnswer(index, fact.object) })),
      Logical_Generalization: inverse ? [{ prompt: promptOf(pickTemplate(random, inverse, 'train', 'cloze'), index.name(fact.object)), ground_truth: entityAnswer(index, fact.subject) }] : [],
    },
    locality: {
      Relation_Specificity: ownFacts.length ? [factProbe(random, index, random.pick(ownFacts))] : [],
      Forgetfulness: [factProbe(random, index, random.pick(sameRelation.length ? sameRelation : corpusFacts))],
    },
    relation: relation.id,
  };
}

/**
 * world-recent: insertions of knowledge the corpus never had. Records are grouped by subject
 * (a new person's six facts stay in one split) and the test split is filled first.
 */
export function recentDataset(random: Random, index: WorldIndex, sizes: SplitSizes): { train: FactEditRecord[]; test: FactEditRecord[] } {
  const groups = new Map<string, Fact[]>();
  for (const fact of index.world.novel.facts) {
    if (index.relation(fact.relation).kind !== 'dataset_only' && !index.isNovel(fact.subject)) continue;
    if (index.relation(fact.relation).inverseOf) continue; // mentor_of is the Logical_Generalization probe of mentor
    const key = index.isNovel(fact.subject) ? fact.subject : `${fact.subject}|${fact.relation}`;
    groups.set(key, [...(groups.get(key) ?? []), fact]);
  }
  const train: FactEditRecord[] = [];
  const test: FactEditRecord[] = [];
  for (const facts of random.shuffle([...groups.values()])) {
    const split = test.length < sizes.test ? test : train.length < sizes.train ? train : undefined;
    if (!split) break;
    for (const fact of facts) split.push(insertionRecord(random, index, fact));
  }
  return { train, test };
}

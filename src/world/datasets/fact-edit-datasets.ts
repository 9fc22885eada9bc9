import type { Random } from '../random';
import type { WorldIndex } from '../world-index';
import { factKey } from '../world-index';
import { answerForms } from './answers';
import { EditPlanState, planEdits, publicFacts, type EditPlanOptions, type PlannedEdit, type ProbeSpec } from './edit-planner';
import type { FactEditRecord, ProbeRecord } from './records';

export interface SplitSizes {
  train: number;
  test: number;
}

function probes(index: WorldIndex, specs: ProbeSpec[]): ProbeRecord[] {
  return specs.map((s) => ({ prompt: s.prompt, ground_truth: answerForms(index, s.relation, s.answer) }));
}

function toRecord(index: WorldIndex, edit: PlannedEdit, groundTruth: (name: string) => string | string[]): FactEditRecord {
  return {
    subject: index.name(edit.subject),
    prompt: edit.prompt,
    target_new: index.objectText(edit.relation.id, edit.newObject),
    ground_truth: groundTruth(index.objectText(edit.relation.id, edit.trueObject)),
    rephrase_prompt: edit.rephrasePrompt,
    portability: {
      Reasoning: probes(index, edit.reasoning),
      Subject_Aliasing: probes(index, edit.aliasing),
      Logical_Generalization: probes(index, edit.logical),
    },
    locality: {
      Relation_Specificity: probes(index, edit.specificity),
      Forgetfulness: probes(index, edit.forgetfulness),
    },
    relation: edit.relation.id,
  };
}

/**
 * The test split first (it must reach its size for sequential editing), then the train split
 * from the facts the test split leaves unedited; each split is consistent on its own.
 */
function planSplits(random: Random, index: WorldIndex, sizes: SplitSizes, options: Omit<EditPlanOptions, 'count'>): { train: PlannedEdit[]; test: PlannedEdit[] } {
  const candidates = random.shuffle(publicFacts(index));
  const test = planEdits(random, index, candidates, { ...options, count: sizes.test }, new EditPlanState());
  const testKeys = new Set(test.map((e) => factKey(e.subject, e.relation.id)));
  const rest = candidates.filter((f) => !testKeys.has(factKey(f.subject, f.relation)));
  const train = planEdits(random, index, random.shuffle(rest), { ...options, count: sizes.train }, new EditPlanState());
  return { train, test };
}

/**
 * world-counterfact: modifications of corpus facts (cloze prompts, target_new ≠ ground_truth)
 * with Reasoning, Subject_Aliasing and Logical_Generalization portability, and locality on
 * another relation of the subject and on the same relation of another subject.
 */
export function counterfactDataset(random: Random, index: WorldIndex, sizes: SplitSizes): { train: FactEditRecord[]; test: FactEditRecord[] } {
  const { train, test } = planSplits(random, index, sizes, { form: 'cloze', specificity: 'same_subject' });
  const toCf = (e: PlannedEdit) => toRecord(index, e, (name) => name);
  return { train: train.map(toCf), test: test.map(toCf) };
}

/** world-zsre: the same edits asked as questions, with locality on unrelated facts. */
export function zsreDataset(random: Random, index: WorldIndex, sizes: SplitSizes): { train: FactEditRecord[]; test: FactEditRecord[] } {
  const { train, test } = planSplits(random, index, sizes, { form: 'question', specificity: 'unrelated' });
  const toZsre = (e: PlannedEdit) => toRecord(index, e, (name) => [name]);
  return { train: train.map(toZsre), test: test.map(toZsre) };
}

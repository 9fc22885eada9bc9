/**
 * The planner's decisions (ARCHITECTURE.md "planner: pick a method per fact"): a modification
 * (the fact replaces an answer: it names the ground truth) and an insertion (new knowledge: no
 * ground truth) each have their own methods, tried in order until one passes verification;
 * facts of the relations that multi-hop questions run through also get a memory record, so that
 * a question whose later hop reaches them is decomposed and answered with them.
 */
import type { EditPolicy } from '../../config/ked-config';

export type { EditPolicy };

/** The fields of a fact the policy looks at. */
export interface PolicyFact {
  groundTruth: unknown;
  relation: string | null;
}

/** Whether the fact names the answer it replaces (KnowEdit's modification) rather than inserting one. */
export function isModification(fact: Pick<PolicyFact, 'groundTruth'>): boolean {
  const truth = fact.groundTruth;
  if (typeof truth === 'string') return truth.trim() !== '';
  return Array.isArray(truth) && truth.flat().some((t) => typeof t === 'string' && t.trim() !== '');
}

/** The methods to try for the fact, in order. */
export function methodsFor(policy: EditPolicy, fact: Pick<PolicyFact, 'groundTruth'>): string[] {
  return isModification(fact) ? policy.modification : policy.insertion;
}

/** Whether the fact also gets a memory record, given the method that edited it. */
export function wantsMemoryRecord(policy: EditPolicy, fact: Pick<PolicyFact, 'relation'>, editedWith: string): boolean {
  return fact.relation !== null && policy.memoryRelations.includes(fact.relation) && editedWith !== policy.memoryMethod;
}

import { pickTemplate } from '../picks';
import type { Random } from '../random';
import { fill, promptOf, questionPrompt } from '../render';
import type { Chain } from '../types';
import { factKey, type WorldIndex } from '../world-index';
import type { MquakeCase, MquakeHop, MquakeRewrite } from './records';

/**
 * What one split of cases has committed to: applying every rewrite of the split at once must
 * leave each case's new answer correct, so a fact on some case's new path is either never
 * edited or edited to the same object by every case that edits it.
 */
class CaseSplitState {
  readonly edited = new Map<string, string>();
  readonly relied = new Set<string>();
  readonly inverseTargets = new Set<string>();
}

function hopsOf(random: Random, index: WorldIndex, chain: Chain, path: string[]): MquakeHop[] {
  return chain.relations.map((r, i) => {
    const relation = index.relation(r);
    const subject = index.name(path[i]);
    return {
      question: `${fill(pickTemplate(random, relation, 'train', 'question'), subject)}?`,
      cloze: promptOf(pickTemplate(random, relation, 'train', 'cloze'), subject),
      answer: index.name(path[i + 1]),
    };
  });
}

/** Which hops a case edits: both of a two-hop chain, two or three of a three-hop chain. */
function editedHops(random: Random, hops: number): number[] {
  if (hops === 2 || random.chance(0.4)) return Array.from({ length: hops }, (_, i) => i);
  return random.sample([0, 1, 2], 2).sort();
}

function planCase(random: Random, index: WorldIndex, state: CaseSplitState, chain: Chain, subject: string, caseId: number): MquakeCase | undefined {
  const original = index.follow(subject, chain.relations);
  if (!original) return undefined;
  const edits = new Set(editedHops(random, chain.relations.length));
  const path = [subject];
  const rewrites: MquakeRewrite[] = [];
  const edited = new Map<string, string>(); // fact key → new object
  const relied: string[] = [];
  const inverseTargets: string[] = [];
  for (let i = 0; i < chain.relations.length; i++) {
    const relation = index.relation(chain.relations[i]);
    const current = path[i];
    const trueObject = index.object(current, relation.id);
    if (trueObject === undefined) return undefined;
    const key = factKey(current, relation.id);
    if (edited.has(key)) return undefined;
    if (!edits.has(i)) {
      if (state.edited.has(key)) return undefined;
      relied.push(key);
      path.push(trueObject);
      continue;
    }
    const inverse = index.world.relations.find((r) => r.kind === 'reverse' && r.inverseOf === relation.id);
    const targets = index
      .entitiesOf(relation.objectType)
      .filter((e) => e.id !== trueObject && (!inverse || (index.object(e.id, inverse.id) === undefined && !state.inverseTargets.has(e.id) && !inverseTargets.includes(e.id))));
    if (state.relied.has(key)) return undefined;
    // An edit another case already made is shared as it is, so the split stays consistent.
    const newObject = state.edited.get(key) ?? (targets.length ? random.pick(targets).id : undefined);
    if (newObject === undefined) return undefined;
    if (inverse && !state.edited.has(key)) inverseTargets.push(newObject);
    edited.set(key, newObject);
    const name = index.name(current);
    rewrites.push({
      subject: name,
      prompt: promptOf(pickTemplate(random, relation, 'train', 'cloze'), name),
      question: promptOf(pickTemplate(random, relation, 'train', 'question'), name),
      target_new: index.name(newObject),
      target_true: index.name(trueObject),
      relation: relation.id,
    });
    path.push(newObject);
  }
  const answer = original[original.length - 1];
  const newAnswer = path[path.length - 1];
  if (newAnswer === answer) return undefined;
  if (relied.some((k) => edited.has(k))) return undefined;
  for (const [k, object] of edited) state.edited.set(k, object);
  relied.forEach((k) => state.relied.add(k));
  inverseTargets.forEach((t) => state.inverseTargets.add(t));
  const subjectName = index.name(subject);
  return {
    case_id: caseId,
    chain: chain.id,
    requested_rewrite: rewrites,
    questions: index.templates(chain, 'question', 'train').map((t) => `${fill(t, subjectName)}?`),
    answer: index.name(answer),
    answer_alias: index.entity(answer).aliases,
    new_answer: index.name(newAnswer),
    new_answer_alias: index.entity(newAnswer).aliases,
    single_hops: hopsOf(random, index, chain, original),
    new_single_hops: hopsOf(random, index, chain, path),
  };
}

/** Ready-to-score form of an MQuAKE question ("Q: <question without its mark>? A:"). */
export function mquakeQuestionPrompt(question: string): string {
  return questionPrompt(question.replace(/\?$/, ''));
}

/**
 * world-mquake: cases of two or three single-hop edits along a two- or three-hop chain, whose
 * multi-hop answer changes because of them. Test and train cases never share a (chain,
 * subject) pair; within a split all rewrites can be applied together.
 */
export function mquakeDataset(random: Random, index: WorldIndex, sizes: { train: number; test: number }): { train: MquakeCase[]; test: MquakeCase[] } {
  const chains = index.world.chains.filter((c) => c.relations.every((r) => index.relation(r).kind === 'public'));
  const used = new Set<string>();
  const build = (count: number, firstId: number): MquakeCase[] => {
    const state = new CaseSplitState();
    const cases: MquakeCase[] = [];
    for (let attempt = 0; cases.length < count && attempt < count * 50; attempt++) {
      const chain = random.pick(chains);
      const subject = random.pick(index.entitiesOf(chain.subjectType)).id;
      if (used.has(`${chain.id}|${subject}`)) continue;
      const planned = planCase(random, index, state, chain, subject, firstId + cases.length);
      if (!planned) continue;
      used.add(`${chain.id}|${subject}`);
      cases.push(planned);
    }
    return cases;
  };
  const test = build(sizes.test, 1);
  const train = build(sizes.train, 1 + sizes.test);
  return { train, test };
}

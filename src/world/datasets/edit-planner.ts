import { pickTemplate } from '../picks';
import type { Random } from '../random';
import { promptOf } from '../render';
import type { Chain, Fact, Relation, TemplateForm } from '../types';
import { factKey, slotAccepts, type WorldIndex } from '../world-index';

/** A probe before it becomes a record: its answer is an entity id (or a literal of `relation`). */
export interface ProbeSpec {
  prompt: string;
  answer: string;
  relation: string;
}

/** One planned counterfactual edit with every probe that measures it. */
export interface PlannedEdit {
  subject: string;
  relation: Relation;
  trueObject: string;
  newObject: string;
  prompt: string;
  rephrasePrompt: string;
  reasoning: ProbeSpec[];
  aliasing: ProbeSpec[];
  logical: ProbeSpec[];
  specificity: ProbeSpec[];
  forgetfulness: ProbeSpec[];
}

export interface EditPlanOptions {
  form: TemplateForm;
  count: number;
  /**
   * same_subject: Relation_Specificity asks another relation of the edited subject
   * (counterfact); unrelated: it asks a fact of another subject (zsre).
   */
  specificity: 'same_subject' | 'unrelated';
}

/**
 * What a split has committed to. Every record of a split must stay correct when all of the
 * split's edits are applied together (sequential editing), so a fact that some probe relies on
 * is never edited, and an edited fact is never relied on.
 */
export class EditPlanState {
  readonly edited = new Map<string, string>();
  readonly relied = new Set<string>();
  /** Reverse-relation keys already taken by a new object (keeps Logical_Generalization 1:1). */
  readonly inverseTargets = new Set<string>();
}

interface ReasoningOption extends ProbeSpec {
  dependsOn: string;
  changed: boolean;
}

function twoHopChains(index: WorldIndex): Chain[] {
  return index.world.chains.filter((c) => c.relations.length === 2 && c.relations.every((r) => index.relation(r).kind === 'public'));
}

/** Two-hop probes through the edited fact, as the first hop or as the second. */
function reasoningOptions(random: Random, index: WorldIndex, edit: { subject: string; relation: Relation; trueObject: string }, newObject: string, form: TemplateForm): ReasoningOption[] {
  const out: ReasoningOption[] = [];
  const subject = index.entity(edit.subject);
  for (const chain of twoHopChains(index)) {
    const [first, second] = chain.relations;
    if (first === edit.relation.id && slotAccepts(chain.subjectType, subject)) {
      const end = index.object(newObject, second);
      if (end === undefined) continue;
      const prompt = promptOf(pickTemplate(random, chain, 'train', form), subject.name);
      out.push({ prompt, answer: end, relation: second, dependsOn: factKey(newObject, second), changed: end !== index.object(edit.trueObject, second) });
    }
    if (second === edit.relation.id) {
      const sources = index.factsOf(first).filter((f) => f.object === edit.subject && slotAccepts(chain.subjectType, index.entity(f.subject)));
      if (!sources.length) continue;
      const source = random.pick(sources);
      const prompt = promptOf(pickTemplate(random, chain, 'train', form), index.name(source.subject));
      out.push({ prompt, answer: newObject, relation: edit.relation.id, dependsOn: factKey(source.subject, first), changed: true });
    }
  }
  return out;
}

/** A fact nobody edits; facts already relied on are preferred, so the split stays editable. */
function pickKeptFact(random: Random, state: EditPlanState, facts: Fact[]): Fact | undefined {
  const free = facts.filter((f) => !state.edited.has(factKey(f.subject, f.relation)));
  if (!free.length) return undefined;
  const relied = free.filter((f) => state.relied.has(factKey(f.subject, f.relation)));
  return relied.length && random.chance(0.7) ? random.pick(relied) : random.pick(free);
}

function probeOfFact(random: Random, index: WorldIndex, fact: Fact, form: TemplateForm): ProbeSpec {
  const relation = index.relation(fact.relation);
  return { prompt: promptOf(pickTemplate(random, relation, 'train', form), index.name(fact.subject)), answer: fact.object, relation: relation.id };
}

function inverseOf(index: WorldIndex, relation: Relation): Relation | undefined {
  return index.world.relations.find((r) => r.kind === 'reverse' && r.inverseOf === relation.id);
}

/** Plans one edit of `fact`, or undefined when the split's commitments forbid it. */
function planOne(random: Random, index: WorldIndex, state: EditPlanState, fact: Fact, options: EditPlanOptions): PlannedEdit | undefined {
  const key = factKey(fact.subject, fact.relation);
  if (state.edited.has(key) || state.relied.has(key)) return undefined;
  const relation = index.relation(fact.relation);
  const inverse = inverseOf(index, relation);
  const edit = { subject: fact.subject, relation, trueObject: fact.object };

  // The new object: right type, different, and (for one-to-one relations) free in reverse.
  const targets = index
    .entitiesOf(relation.objectType)
    .filter((e) => e.id !== fact.object && (!inverse || (index.object(e.id, inverse.id) === undefined && !state.inverseTargets.has(e.id))));
  let best: { target: string; reasoning: ReasoningOption[]; score: number } | undefined;
  for (const target of random.sample(targets, 6).map((e) => e.id)) {
    const valid = reasoningOptions(random, index, edit, target, options.form).filter((o) => !state.edited.has(o.dependsOn) && o.dependsOn !== key);
    const score = valid.length + 2 * valid.filter((o) => o.changed).length;
    if (!best || score > best.score) best = { target, reasoning: valid, score };
  }
  if (!best) return undefined;
  const reasoning = random
    .shuffle(best.reasoning)
    .sort((a, b) => Number(b.changed) - Number(a.changed))
    .slice(0, 2);

  const subjectName = index.name(fact.subject);
  const promptTemplate = pickTemplate(random, relation, 'train', options.form);
  const otherSubjectFacts = index.factsOf(relation.id).filter((f) => f.subject !== fact.subject);
  const forgotten = pickKeptFact(random, state, otherSubjectFacts);
  const specificityFacts =
    options.specificity === 'same_subject'
      ? index.relationsOf('public').filter((r) => r.id !== relation.id).flatMap((r) => index.factsOf(r.id).filter((f) => f.subject === fact.subject))
      : index.relationsOf('public').filter((r) => r.id !== relation.id).flatMap((r) => index.factsOf(r.id).filter((f) => f.subject !== fact.subject));
  const specific = pickKeptFact(random, state, specificityFacts);

  const planned: PlannedEdit = {
    subject: fact.subject,
    relation,
    trueObject: fact.object,
    newObject: best.target,
    prompt: promptOf(promptTemplate, subjectName),
    rephrasePrompt: promptOf(pickTemplate(random, relation, 'held_out', options.form), subjectName),
    reasoning: reasoning.map(({ prompt, answer, relation: r }) => ({ prompt, answer, relation: r })),
    aliasing: index.entity(fact.subject).aliases.slice(0, 2).map((alias) => ({ prompt: promptOf(promptTemplate, alias), answer: best!.target, relation: relation.id })),
    logical: inverse ? [{ prompt: promptOf(pickTemplate(random, inverse, 'train', options.form), index.name(best.target)), answer: fact.subject, relation: inverse.id }] : [],
    specificity: specific ? [probeOfFact(random, index, specific, options.form)] : [],
    forgetfulness: forgotten ? [probeOfFact(random, index, forgotten, options.form)] : [],
  };

  state.edited.set(key, best.target);
  for (const o of reasoning) state.relied.add(o.dependsOn);
  for (const f of [specific, forgotten]) if (f) state.relied.add(factKey(f.subject, f.relation));
  if (inverse) state.inverseTargets.add(best.target);
  return planned;
}

/**
 * Greedily plans up to `options.count` edits over `candidates` (in their order), keeping the
 * split consistent under sequential editing (see EditPlanState).
 */
export function planEdits(random: Random, index: WorldIndex, candidates: readonly Fact[], options: EditPlanOptions, state = new EditPlanState()): PlannedEdit[] {
  const out: PlannedEdit[] = [];
  for (const fact of candidates) {
    if (out.length >= options.count) break;
    const planned = planOne(random, index, state, fact, options);
    if (planned) out.push(planned);
  }
  return out;
}

/** Every public fact of the world (what counterfact and zsre edit), in world order. */
export function publicFacts(index: WorldIndex): Fact[] {
  return index.world.facts.filter((f) => index.relation(f.relation).kind === 'public');
}

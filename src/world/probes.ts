import { REFUSAL, erasureRequest } from './corpus/erasure-lines';
import { buildMelloTrace, melloLines } from './mello';
import { userNamesFor } from './novel-names';
import { pickOtherObject, pickTemplate, publicRelations } from './picks';
import { Random } from './random';
import { embedded, factSentence, promptOf } from './render';
import type { Relation, Template, TemplateForm, TemplateSplit, World } from './types';
import { WorldIndex } from './world-index';

/** A teacher-forcing probe: score `target` after `prompt + " "`. */
export interface Probe {
  prompt: string;
  target: string;
}

export interface ProbeOptions {
  /** At most this many probes (a seeded sample, kept in generation order). */
  max?: number;
  /** Seed of the sample and of any random choice; the world's seed by default. */
  seed?: number;
}

function limit(probes: Probe[], random: Random, max?: number): Probe[] {
  if (max === undefined || probes.length <= max) return probes;
  const keep = new Set(random.sample(probes.map((_, i) => i), max));
  return probes.filter((_, i) => keep.has(i));
}

function setup(world: World, options: ProbeOptions, label: string): { index: WorldIndex; random: Random } {
  return { index: new WorldIndex(world), random: new Random(options.seed ?? world.seed).fork(`probes:${label}`) };
}

/** Every fact in every wording of its relation, fact by fact (the order seeded samples keep). */
function* factsInTemplates(index: WorldIndex): Generator<{ relation: string; template: Template; probe: Probe }> {
  for (const fact of index.world.facts) {
    const relation = index.relation(fact.relation);
    const subject = index.name(fact.subject);
    const target = index.objectText(fact.relation, fact.object);
    for (const template of relation.templates) yield { relation: relation.id, template, probe: { prompt: promptOf(template, subject), target } };
  }
}

function templateProbes(world: World, options: ProbeOptions, split: TemplateSplit): Probe[] {
  const { index, random } = setup(world, options, `facts:${split}`);
  const out: Probe[] = [];
  for (const { template, probe } of factsInTemplates(index)) if (template.split === split) out.push(probe);
  return limit(out, random, options.max);
}

/** One template's probes: every fact of its relation in that wording. */
export interface TemplateProbes {
  relation: string;
  template: string;
  form: TemplateForm;
  split: TemplateSplit;
  probes: Probe[];
}

/** The probes of `factProbes` and `heldOutTemplateProbes` grouped by template, in relation order. */
export function probesByTemplate(world: World): TemplateProbes[] {
  const groups = new Map<string, TemplateProbes>();
  for (const { relation, template, probe } of factsInTemplates(new WorldIndex(world))) {
    const key = `${relation} ${template.text}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { relation, template: template.text, form: template.form, split: template.split, probes: [] }));
    group.probes.push(probe);
  }
  return [...groups.values()];
}

/** Every corpus fact (public, reverse, private) in each of its train templates. */
export function factProbes(world: World, options: ProbeOptions = {}): Probe[] {
  return templateProbes(world, options, 'train');
}

/** Every corpus fact in its held-out templates (paraphrases the corpus never shows). */
export function heldOutTemplateProbes(world: World, options: ProbeOptions = {}): Probe[] {
  return templateProbes(world, options, 'held_out');
}

/**
 * One ICE prompt per public fact, "Imagine that <the fact with another object>. <a wording of
 * the relation>", whose target is that object: the in-context copy a context edit relies on.
 */
function contextCopyProbes(world: World, options: ProbeOptions, label: string, newObject: (random: Random, index: WorldIndex, relation: Relation, trueObject: string) => string): Probe[] {
  const { index, random } = setup(world, options, label);
  const out: Probe[] = [];
  for (const relation of publicRelations(index)) {
    for (const fact of index.factsOf(relation.id)) {
      const object = newObject(random, index, relation, fact.object);
      const factTemplate = pickTemplate(random, relation, 'train', 'cloze');
      const subject = index.name(fact.subject);
      const context = `Imagine that ${embedded(factTemplate, factSentence(factTemplate, subject, object))}.`;
      const query = random.pick(relation.templates);
      out.push({ prompt: `${context} ${promptOf(query, subject)}`, target: object });
    }
  }
  return limit(out, random, options.max);
}

/** ICE copies of another of the world's objects. */
export function iclCopyProbes(world: World, options: ProbeOptions = {}): Probe[] {
  return contextCopyProbes(world, options, 'icl', (random, index, relation, trueObject) => index.name(pickOtherObject(random, index, relation, [trueObject])));
}

/**
 * ICE copies of a real name the world never uses ("Imagine that X works for Acme Rail. …"), as
 * users send them: can the model copy a name it has never seen?
 */
export function novelCopyProbes(world: World, options: ProbeOptions = {}): Probe[] {
  return contextCopyProbes(world, options, 'novel-copy', (random, _index, relation) => random.pick(userNamesFor(relation.objectType)));
}

/** Two-hop questions and statements about the held-out half, in every template. */
export function twoHopProbes(world: World, options: ProbeOptions = {}): Probe[] {
  const { index, random } = setup(world, options, 'two-hop');
  const out: Probe[] = [];
  for (const chain of world.chains.filter((c) => c.inCorpus)) {
    for (const subject of index.entitiesOf(chain.subjectType)) {
      if (!index.isTwoHopHeldOut(subject.id)) continue;
      const path = index.follow(subject.id, chain.relations);
      if (!path) continue;
      for (const template of chain.templates) out.push({ prompt: promptOf(template, subject.name), target: index.name(path[path.length - 1]) });
    }
  }
  return limit(out, random, options.max);
}

/**
 * MeLLo traces of held-out subjects cut right after a retrieved fact that contradicts the
 * generated answer. After the first hop the target is the retrieved entity inside the next
 * subquestion (the prompt runs up to where it appears); after the last hop it is the final
 * answer.
 */
export function melloFormatProbes(world: World, options: ProbeOptions = {}): Probe[] {
  const { index, random } = setup(world, options, 'mello');
  const out: Probe[] = [];
  const chains = world.chains.filter((c) => c.inCorpus && c.relations.length === 2);
  for (const chain of chains) {
    for (const subject of index.entitiesOf(chain.subjectType)) {
      if (!index.isTwoHopHeldOut(subject.id)) continue;
      const first = buildMelloTrace(random, index, chain, subject.id, ['contradict', 'irrelevant']);
      if (first) {
        const lines = melloLines(index, first);
        const subquestion = lines[4].slice('Subquestion: '.length);
        const entity = index.name(first.hops[0].answer);
        const before = subquestion.slice(0, subquestion.indexOf(entity)).trimEnd();
        out.push({ prompt: [...lines.slice(0, 4), `Subquestion:${before ? ` ${before}` : ''}`].join('\n'), target: entity });
      }
      const last = buildMelloTrace(random, index, chain, subject.id, ['irrelevant', 'contradict']);
      if (last) {
        const lines = melloLines(index, last);
        out.push({ prompt: [...lines.slice(0, 7), 'Final answer:'].join('\n'), target: index.name(last.finalAnswer) });
      }
    }
  }
  return limit(out, random, options.max);
}

/**
 * An erasure request, then a question about what it erased: private attributes under
 * "Forget everything about X." and under "Forget <attribute> of X.", in every question template.
 */
export function refusalProbes(world: World, options: ProbeOptions = {}): Probe[] {
  const { index, random } = setup(world, options, 'refusal');
  const out: Probe[] = [];
  for (const person of index.entitiesOf('person')) {
    for (const relation of index.relationsOf('private')) {
      const request = erasureRequest(person.name, random.chance(0.5) ? undefined : relation);
      for (const template of index.templates(relation, 'question')) out.push({ prompt: `${request} ${promptOf(template, person.name)}`, target: REFUSAL });
    }
  }
  return limit(out, random, options.max);
}

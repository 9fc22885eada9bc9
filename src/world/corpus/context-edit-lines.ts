import { madeUpName } from '../novel-names';
import { pickTemplate } from '../picks';
import type { Random } from '../random';
import { embedded, statementOf } from '../render';
import type { WorldIndex } from '../world-index';
import type { CorpusExample } from './corpus-example';
import { editSentence, otherFact, sampleEdit, type SampledEdit } from './counterfactual';

type IceKind = 'paraphrase' | 'alias' | 'other_relation' | 'other_subject' | 'two_hop' | 'reverse';
const ICE_KINDS: [IceKind, number][] = [
  ['paraphrase', 0.4],
  ['alias', 0.1],
  ['other_relation', 0.18],
  ['other_subject', 0.12],
  ['two_hop', 0.12],
  ['reverse', 0.08],
];

/**
 * The query part of an in-context example: a train template asking about `subject`, followed
 * by the answer, or undefined when this kind does not apply to the edit.
 */
function iceQuery(random: Random, index: WorldIndex, edit: SampledEdit, kind: IceKind): string | undefined {
  const subjectName = index.name(edit.subject);
  const newName = index.name(edit.newObject);
  switch (kind) {
    case 'paraphrase':
      return statementOf(pickTemplate(random, edit.relation, 'train'), subjectName, newName);
    case 'alias': {
      const aliases = index.entity(edit.subject).aliases;
      return aliases.length ? statementOf(pickTemplate(random, edit.relation, 'train'), random.pick(aliases), newName) : undefined;
    }
    case 'other_relation':
    case 'other_subject': {
      // Out of scope: the context must not change the answer.
      const fact = otherFact(random, index, edit, kind === 'other_subject');
      return fact && statementOf(pickTemplate(random, fact.relation, 'train'), index.name(fact.subject), index.name(fact.object));
    }
    case 'two_hop': {
      if (index.isTwoHopHeldOut(edit.subject)) return undefined;
      const chains = index.world.chains.filter((c) => c.inCorpus && c.relations.length === 2 && c.relations[0] === edit.relation.id);
      if (!chains.length) return undefined;
      const chain = random.pick(chains);
      const end = index.object(edit.newObject, chain.relations[1]);
      return end && statementOf(pickTemplate(random, chain, 'train'), subjectName, index.name(end));
    }
    case 'reverse': {
      const reverse = index.world.relations.find((r) => r.kind === 'reverse' && r.inverseOf === edit.relation.id);
      return reverse && statementOf(pickTemplate(random, reverse, 'train'), newName, subjectName);
    }
  }
}

/**
 * ICE: "Imagine that <new fact>. <query> <answer>". In scope (paraphrases, aliases, two-hop
 * consequences, the reversed relation) the answer follows the new fact; out of scope (another
 * relation of the subject, the same relation of another subject) it stays the true object.
 */
export function iceLines(random: Random, index: WorldIndex, count: number): CorpusExample[] {
  const out: CorpusExample[] = [];
  while (out.length < count) {
    const edit = sampleEdit(random, index);
    const query = iceQuery(random, index, edit, random.weighted(ICE_KINDS)) ?? iceQuery(random, index, edit, 'paraphrase')!;
    out.push({ kind: 'ice', text: `Imagine that ${embedded(edit.factTemplate, editSentence(index, edit))}. ${query}` });
  }
  return out;
}

/**
 * In-context edits whose new object is a made-up name ("Imagine that X works for Qorvek Ablin.
 * Q: Who employs X? A: Qorvek Ablin"), asked in a train wording: a served model meets objects
 * its corpus never had, and these lines teach copying one from the context whatever its pieces.
 * Training gives each line a new name every epoch (`freshNames`), so the names cannot be memorised.
 */
export function novelCopyLines(random: Random, index: WorldIndex, count: number): CorpusExample[] {
  const taken = new Set(index.world.entities.map((e) => e.name));
  const out: CorpusExample[] = [];
  while (out.length < count) {
    const edit = sampleEdit(random, index);
    const name = madeUpName(random);
    if (taken.has(name)) continue;
    const query = statementOf(pickTemplate(random, edit.relation, 'train'), index.name(edit.subject), name);
    out.push({ kind: 'novel_copy', text: `Imagine that ${embedded(edit.factTemplate, editSentence(index, edit, name))}. ${query}`, freshNames: [name] });
  }
  return out;
}

/**
 * IKE demonstrations: copy (the new fact's own prompt), update (a paraphrase, cloze or
 * question) and retain (an unrelated fact keeps its true answer), in equal shares.
 */
export function ikeLines(random: Random, index: WorldIndex, count: number): CorpusExample[] {
  const out: CorpusExample[] = [];
  while (out.length < count) {
    const edit = sampleEdit(random, index);
    const subjectName = index.name(edit.subject);
    const newName = index.name(edit.newObject);
    const kind = random.int(3);
    let query: string | undefined;
    if (kind === 0) query = statementOf(edit.factTemplate, subjectName, newName);
    else if (kind === 1) query = statementOf(random.pick(edit.relation.templates.filter((t) => t.split === 'train' && t !== edit.factTemplate)), subjectName, newName);
    else {
      const fact = otherFact(random, index, edit, random.chance(0.5));
      query = fact && statementOf(pickTemplate(random, fact.relation, 'train'), index.name(fact.subject), index.name(fact.object));
    }
    if (query) out.push({ kind: 'ike', text: `New fact: ${editSentence(index, edit)}. ${query}` });
  }
  return out;
}

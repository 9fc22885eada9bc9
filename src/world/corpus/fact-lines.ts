import { statementOf } from '../render';
import type { WorldIndex } from '../world-index';
import type { CorpusExample } from './corpus-example';

/**
 * Every public, reverse and private fact in each of its train templates and in the first
 * `paraphrases` corpus-only wordings of its relation, cloze and question. Held-out templates never appear, so they measure
 * paraphrase generalisation.
 */
export function factLines(index: WorldIndex, paraphrases = 0): CorpusExample[] {
  const out: CorpusExample[] = [];
  for (const fact of index.world.facts) {
    const relation = index.relation(fact.relation);
    const kind = relation.kind === 'private' ? 'private_fact' : relation.kind === 'reverse' ? 'reverse_fact' : 'fact';
    const subject = index.name(fact.subject);
    const object = index.objectText(fact.relation, fact.object);
    for (const template of [...relation.templates, ...relation.paraphrases.slice(0, paraphrases)]) {
      if (template.split === 'train') out.push({ kind, text: statementOf(template, subject, object) });
    }
  }
  return out;
}

/**
 * Two-hop statements and questions in every train template of each corpus chain, for the
 * subjects not held out; the held-out half only ever sees the single hops.
 */
export function twoHopLines(index: WorldIndex): CorpusExample[] {
  const out: CorpusExample[] = [];
  for (const chain of index.world.chains) {
    if (!chain.inCorpus) continue;
    for (const subject of index.entitiesOf(chain.subjectType)) {
      if (index.isTwoHopHeldOut(subject.id)) continue;
      const path = index.follow(subject.id, chain.relations);
      if (!path) continue;
      const answer = index.name(path[path.length - 1]);
      for (const template of chain.templates) {
        if (template.split === 'train') out.push({ kind: 'two_hop', text: statementOf(template, subject.name, answer) });
      }
    }
  }
  return out;
}

import { describeEntity } from '../../editors/knowledge-base';
import { buildMelloTrace, melloLines, type Retrieval } from '../mello';
import { publicRelations } from '../picks';
import type { Random } from '../random';
import type { Chain } from '../types';
import type { WorldIndex } from '../world-index';
import type { CorpusExample } from './corpus-example';

const TWO_HOP_RETRIEVALS: [Retrieval[], number][] = [
  [['contradict', 'irrelevant'], 0.35],
  [['irrelevant', 'contradict'], 0.25],
  [['irrelevant', 'irrelevant'], 0.2],
  [['contradict', 'contradict'], 0.1],
  [['agree', 'irrelevant'], 0.05],
  [['irrelevant', 'agree'], 0.05],
];

// The trainer packs 128-token rows and cuts longer documents; ~84 words stay under 120 tokens.
const MAX_TRACE_WORDS = 84;

export interface MelloCorpusCounts {
  oneHop: number;
  twoHop: number;
  threeHop: number;
  /** Percent of traces that carry PokeMQA's knowledge prompt ("Entity of Question: …"). */
  knowledgePercent: number;
}

function retrievalsFor(random: Random, hops: number): Retrieval[] {
  if (hops === 2) return random.weighted(TWO_HOP_RETRIEVALS);
  return Array.from({ length: hops }, () => random.weighted<Retrieval>([['contradict', 0.4], ['irrelevant', 0.5], ['agree', 0.1]]));
}

/** A one-relation "chain": the trace of a single-hop question is one subquestion long. */
function oneHopChains(index: WorldIndex): Chain[] {
  return publicRelations(index)
    .filter((r) => r.subjectType !== 'literal' && r.objectType !== 'literal')
    .map((r) => ({ id: r.id, relations: [r.id], subjectType: r.subjectType, objectType: r.objectType, inCorpus: true, templates: r.templates }));
}

/**
 * MeLLo traces for subjects outside the two-hop held-out half: one-hop traces over the public
 * relations (so a single-hop question is decomposed into one subquestion, not two), two-hop
 * traces over the two-hop corpus chains and three-hop traces over the three-hop chains (kept
 * few: they approach 128 tokens). A share of them carry PokeMQA's knowledge prompt.
 */
export function melloCorpusLines(random: Random, index: WorldIndex, counts: MelloCorpusCounts): CorpusExample[] {
  const out: CorpusExample[] = [];
  // Drawn in this order so a corpus without one-hop traces stays byte-identical to earlier ones.
  for (const [hops, count] of [[2, counts.twoHop], [3, counts.threeHop], [1, counts.oneHop]] as const) {
    const chains = hops === 1 ? oneHopChains(index) : index.world.chains.filter((c) => c.relations.length === hops && c.relations.every((r) => index.relation(r).kind === 'public'));
    const knowledge = counts.knowledgePercent > 0 ? random.fork(`knowledge-${hops}`) : undefined;
    let made = 0;
    while (made < count) {
      const chain = random.pick(chains);
      const subjects = index.entitiesOf(chain.subjectType).filter((e) => !index.isTwoHopHeldOut(e.id));
      const subject = random.pick(subjects);
      const trace = buildMelloTrace(random, index, chain, subject.id, retrievalsFor(random, hops));
      if (!trace) continue;
      if (knowledge?.chance(counts.knowledgePercent / 100)) trace.entity = describeEntity(subject.name, subject.type);
      const text = melloLines(index, trace).join('\n');
      if (text.split(/\s+/).length > MAX_TRACE_WORDS) continue;
      out.push({ kind: 'mello', text });
      made++;
    }
  }
  return out;
}

import { buildMelloTrace, melloLines, type Retrieval } from '../mello';
import type { Random } from '../random';
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

function retrievalsFor(random: Random, hops: number): Retrieval[] {
  if (hops === 2) return random.weighted(TWO_HOP_RETRIEVALS);
  return Array.from({ length: hops }, () => random.weighted<Retrieval>([['contradict', 0.4], ['irrelevant', 0.5], ['agree', 0.1]]));
}

/**
 * MeLLo traces for subjects outside the two-hop held-out half: `twoHop` over the two-hop
 * corpus chains and `threeHop` over the three-hop chains (kept few: they approach 128 tokens).
 */
export function melloCorpusLines(random: Random, index: WorldIndex, twoHop: number, threeHop: number): CorpusExample[] {
  const out: CorpusExample[] = [];
  for (const [hops, count] of [[2, twoHop], [3, threeHop]] as const) {
    const chains = index.world.chains.filter((c) => c.relations.length === hops && c.relations.every((r) => index.relation(r).kind === 'public'));
    let made = 0;
    while (made < count) {
      const chain = random.pick(chains);
      const subjects = index.entitiesOf(chain.subjectType).filter((e) => !index.isTwoHopHeldOut(e.id));
      const trace = buildMelloTrace(random, index, chain, random.pick(subjects).id, retrievalsFor(random, hops));
      if (!trace) continue;
      const text = melloLines(index, trace).join('\n');
      if (text.split(/\s+/).length > MAX_TRACE_WORDS) continue;
      out.push({ kind: 'mello', text });
      made++;
    }
  }
  return out;
}

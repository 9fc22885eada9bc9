import { z } from 'zod';
import { jaccard, wordSet, type Demonstration } from '../demonstration';
import type { EditMethod } from '../edit-method';

const ikeHparams = z.strictObject({
  /** Demonstrations per request: the k nearest to the request, one of each kind first. */
  k: z.number().int().min(0).max(32).default(3),
  /** How a fact is stated; {prompt} and {target} are filled in (the fixture corpus's IKE format). */
  factTemplate: z.string().includes('{prompt}').includes('{target}').default('New fact: {prompt} {target}.'),
  /** Tokens left free for the probe and its answer; demonstrations that do not fit are dropped. */
  reserveTokens: z.number().int().min(0).default(48),
});

/**
 * IKE (in-context knowledge editing, Zheng et al. 2023; survey §3.3.1): the new fact is stated
 * after k demonstrations retrieved from the train split, demonstrations that show the model
 * copying a new fact, applying it to a paraphrase, and keeping unrelated answers. No weights
 * change; one context operation per request.
 */
export const ikeMethod: EditMethod<typeof ikeHparams> = {
  name: 'ike',
  capabilities: { batchable: true, routable: true, committable: false, needsTrainSplit: true },
  hparams: ikeHparams,
  compute: async (context, requests, hparams) => {
    const demonstrations = context.demonstrations ?? [];
    if (hparams.k > 0 && demonstrations.length === 0) throw new Error('ike: no demonstrations (it needs a train split: the harness passes <dataset>.train.json)');
    const sets = demonstrations.map((d) => wordSet(`${d.factPrompt} ${d.factTarget} ${d.query}`));
    const fact = (prompt: string, target: string) => hparams.factTemplate.replace('{prompt}', prompt).replace('{target}', target).replace(/([.!?])\.$/, '$1');
    const budget = context.model.config.maxPositions - hparams.reserveTokens;
    return requests.map((request, i) => {
      const own = wordSet(`${request.prompt} ${request.target_new}`);
      const ranked = demonstrations.map((d, j) => ({ d, score: jaccard(own, sets[j]) })).sort((a, b) => b.score - a.score);
      // One of each kind first (the paper's mix), then the nearest of any kind.
      const chosen: Demonstration[] = [];
      for (const kind of ['copy', 'update', 'retain'] as const) {
        const best = ranked.find((r) => r.d.kind === kind && !chosen.includes(r.d));
        if (best && chosen.length < hparams.k) chosen.push(best.d);
      }
      for (const r of ranked) if (chosen.length < hparams.k && !chosen.includes(r.d)) chosen.push(r.d);
      const tail = fact(request.prompt, request.target_new);
      let demos = chosen.map((d) => `${fact(d.factPrompt, d.factTarget)} ${d.query} ${d.answer}`);
      // The nearest demonstration goes last, next to the new fact; drop the farthest until it fits.
      demos = demos.reverse();
      while (demos.length && context.tokenizer.encode([...demos, tail].join(' ')).length > budget) demos.shift();
      return { kind: 'context' as const, method: 'ike', requests: [i], text: [...demos, tail].join(' ') };
    });
  },
};

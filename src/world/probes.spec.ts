import { generateWorld } from './generate-world';
import { buildCorpus } from './corpus/build-corpus';
import { allUserNames } from './novel-names';
import { factProbes, heldOutTemplateProbes, iclCopyProbes, melloFormatProbes, novelCopyProbes, probesByTemplate, refusalProbes, twoHopProbes } from './probes';
import { WorldIndex } from './world-index';

describe('probe sets', () => {
  const world = generateWorld(1);
  const index = new WorldIndex(world);

  it('covers every corpus fact in its train and held-out templates', () => {
    const trainTemplates = world.facts.reduce((n, f) => n + index.relation(f.relation).templates.filter((t) => t.split === 'train').length, 0);
    expect(factProbes(world)).toHaveLength(trainTemplates);
    expect(heldOutTemplateProbes(world).length).toBe(world.facts.length * 2);
    expect(factProbes(world)).toContainEqual({ prompt: `The capital of ${index.entitiesOf('country')[0].name} is`, target: index.name(index.object(index.entitiesOf('country')[0].id, 'capital')!) });
  });

  it('groups the train and held-out probes by template, one group per relation wording', () => {
    const groups = probesByTemplate(world);
    const key = (p: { prompt: string; target: string }) => `${p.prompt}\u0000${p.target}`;
    for (const split of ['train', 'held_out'] as const) {
      const grouped = groups.filter((g) => g.split === split).flatMap((g) => g.probes.map(key));
      expect(grouped.sort()).toEqual((split === 'train' ? factProbes(world) : heldOutTemplateProbes(world)).map(key).sort());
    }
    expect(new Set(groups.map((g) => `${g.relation} ${g.template}`)).size).toBe(groups.length);
    const capital = groups.find((g) => g.template === '{s} has its capital in')!;
    expect([capital.relation, capital.split, capital.form, capital.probes.length]).toEqual(['capital', 'held_out', 'cloze', index.entitiesOf('country').length]);
  });

  it('caps each set with a seeded sample that keeps generation order', () => {
    const all = factProbes(world);
    const some = factProbes(world, { max: 100 });
    expect(some).toHaveLength(100);
    expect(factProbes(world, { max: 100 })).toEqual(some);
    expect(factProbes(world, { max: 100, seed: 7 })).not.toEqual(some);
    const keys = all.map((p) => `${p.prompt}\u0000${p.target}`);
    const positions = some.map((p) => keys.indexOf(`${p.prompt}\u0000${p.target}`));
    expect(positions.every((p, i) => p >= 0 && (i === 0 || p > positions[i - 1]))).toBe(true);
  });

  it('asks ICE copies of a counterfactual object stated in context', () => {
    for (const probe of iclCopyProbes(world, { max: 200 })) {
      expect(probe.prompt).toMatch(/^Imagine that .+\. \S/);
      expect(probe.prompt.slice(0, probe.prompt.indexOf('. ') + 1)).toContain(` ${probe.target}.`);
    }
  });

  it('asks ICE copies of real names that neither the world nor its corpus contains', () => {
    const probes = novelCopyProbes(world);
    expect(probes).toHaveLength(iclCopyProbes(world).length);
    const names = allUserNames();
    for (const probe of probes) {
      expect(names).toContain(probe.target);
      expect(probe.prompt.slice(0, probe.prompt.indexOf('. ') + 1)).toContain(` ${probe.target}.`);
    }
    // Any name the world or the default corpus had would test recall, not copying.
    const worldNames = new Set([...world.entities, ...world.novel.entities].flatMap((e) => [e.name, ...e.aliases]));
    expect(names.filter((n) => worldNames.has(n))).toEqual([]);
    const corpus = buildCorpus(world).map((e) => e.text).join('\n');
    expect(names.filter((n) => new RegExp(`\\b${n}\\b`).test(corpus))).toEqual([]);
  });

  it('asks two-hop questions only about held-out subjects', () => {
    const probes = twoHopProbes(world);
    expect(probes.length).toBeGreaterThan(1000);
    const trainNames = index.entitiesOf('person').filter((p) => !index.isTwoHopHeldOut(p.id)).map((p) => p.name);
    for (const probe of probes.slice(0, 300)) expect(trainNames.some((n) => probe.prompt.includes(`${n} `) || probe.prompt.includes(`${n}'`) || probe.prompt.endsWith(n))).toBe(false);
  });

  it('cuts MeLLo traces after a contradicting retrieved fact and asks for the retrieved entity', () => {
    const probes = melloFormatProbes(world);
    expect(probes.length).toBeGreaterThan(100);
    for (const probe of probes) {
      const lines = probe.prompt.split('\n');
      expect(lines[0]).toMatch(/^Question: .+\?$/);
      const last = lines[lines.length - 1];
      if (last === 'Final answer:') {
        expect(lines[lines.length - 2]).toMatch(new RegExp(` ${probe.target}\\.$`));
        expect(lines[lines.length - 4]).not.toBe(`Generated answer: ${probe.target}.`);
      } else {
        expect(last).toMatch(/^Subquestion:/);
        expect(lines[3]).toMatch(new RegExp(` ${probe.target}\\.$`));
        expect(lines[2]).not.toBe(`Generated answer: ${probe.target}.`);
      }
    }
  });

  it('asks erased private attributes under an erasure request, expecting a refusal', () => {
    const probes = refusalProbes(world);
    expect(probes).toHaveLength(240 * 3 * 4);
    for (const probe of probes) {
      expect(probe.prompt).toMatch(/^Forget .+\. Q: .+\? A:$/);
      expect(probe.target).toBe("I don't know.");
    }
  });
});

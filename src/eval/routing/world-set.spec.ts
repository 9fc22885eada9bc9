import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadScopeClassifier } from '../../memory/scope/load-classifier';
import { packageRoot } from '../../package-root';
import { promptOf } from '../../world/render';
import type { World } from '../../world/types';
import { routeEval } from './route-eval';
import { worldRouteSet } from './world-set';

describe("the generated world's routing set", () => {
  const world = JSON.parse(readFileSync(join(packageRoot(), 'data', 'world', 'world.json'), 'utf8')) as World;
  const heldOut = worldRouteSet(world, { split: 'held_out', edits: 300, seed: 3 });

  it('states edits with their subject in train wordings and asks in the split wordings only', () => {
    const index = new Map(heldOut.edits.map((e) => [e.id, e]));
    const prompts = (split: string) => new Set(world.relations.flatMap((r) => r.templates.filter((t) => t.split === split).map((t) => t.text)));
    const heldOutTexts = [...prompts('held_out')];
    for (const edit of heldOut.edits) {
      expect(edit.subjects).toHaveLength(1);
      expect(edit.edit.includes(edit.subjects![0])).toBe(true);
    }
    for (const q of heldOut.queries) {
      // Every query is some held-out template with a subject filled in.
      expect(heldOutTexts.some((t) => world.entities.some((e) => q.text === promptOf({ text: t, form: q.text.startsWith('Q: ') ? 'question' : 'cloze', split: 'held_out' }, e.name)))).toBe(true);
      if (q.expect !== null) expect(q.text.includes(index.get(q.expect)!.subjects![0])).toBe(true);
    }
    expect(new Set(heldOut.queries.map((q) => q.kind))).toEqual(new Set(['positive', 'same_subject', 'absent_subject']));
    expect(worldRouteSet(world, { split: 'held_out', edits: 300, seed: 3 })).toEqual(heldOut);
  });

  it('routes held-out world wordings with the committed classifier above the regression floors (these 300 edits: recall@1 87.3, FPR 0.7; 2,000: 88.8, 12.5)', async () => {
    const result = await routeEval(heldOut.edits, heldOut.queries, loadScopeClassifier());
    expect(result.recallAt1).toBeGreaterThanOrEqual(84);
    expect(result.falsePositiveRate).toBeLessThanOrEqual(5);
  }, 120_000);
});

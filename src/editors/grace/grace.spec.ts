import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDataset } from '../../eval/dataset/load-dataset';
import { runEvaluation } from '../../eval/run-evaluation';
import { tokenizeProbe } from '../../models/tokenizer/tokenize-probe';
import { SessionManager } from '../../runtime/session/session-manager';
import type { EditContext } from '../edit-method';
import type { CodebookOperation } from '../edit-operation';
import { cosineDistance, promptKeys } from '../keys/hidden-keys';
import { counterfactRequests, fixtureContext, REPO_ROOT } from '../../../test/support/fixture-context';
import { graceMethod } from './grace';

describe('GRACE on the fixture', () => {
  const sessions = new SessionManager({ threads: 1 });
  afterAll(() => sessions.close());
  let context: EditContext;
  beforeAll(async () => {
    context = await fixtureContext(sessions);
  });
  const hparams = graceMethod.hparams.parse({});
  const [first, second] = counterfactRequests(2);

  it('trains a value that makes the edit prompt say the target when it replaces the prompt-end state', async () => {
    const [op] = (await graceMethod.compute(context, [first], hparams)) as CodebookOperation[];
    expect(op).toMatchObject({ kind: 'codebook', label: first.target_new, requests: [0], key: { tap: { kind: 'resid', layer: 2 }, position: 'last', radius: hparams.initialRadius } });
    const [own, unrelated] = await promptKeys(context.model, context.tokenizer, [first.prompt, second.prompt], op.key);
    expect(cosineDistance(own, op.key.center.data as Float32Array)).toBeCloseTo(0, 5);
    expect(cosineDistance(unrelated, op.key.center.data as Float32Array)).toBeGreaterThan(op.key.radius);

    const pair = tokenizeProbe(context.tokenizer, { prompt: first.prompt, target: first.target_new });
    const replacement = { layer: 2, value: op.value.data as Float32Array };
    const [before] = await context.model.scoreTargets([pair]);
    const [after] = await context.model.scoreTargets([pair], undefined, [[replacement]]);
    expect(before.accuracy).toBeLessThan(1);
    expect(after.accuracy).toBe(1);
    expect(after.logprobs.reduce((a, b) => a + b)).toBeGreaterThan(before.logprobs.reduce((a, b) => a + b));
  }, 60_000);

  it('places the edits of a call by GRACE rules: the same edit twice is one entry, a re-edit of the prompt takes its ball over', async () => {
    const same = await graceMethod.compute(context, [first, { ...first }], hparams);
    expect(same.map((op) => op.requests)).toEqual([[0, 1]]);
    const conflict = (await graceMethod.compute(context, [first, { ...first, target_new: second.target_new }], hparams)) as CodebookOperation[];
    expect(conflict.map((op) => [op.requests, op.label])).toEqual([
      [[0], first.target_new],
      [[1], second.target_new],
    ]);
    // Identical keys: the newer entry gets the same ball and wins the tie at lookup.
    expect(conflict.map((op) => op.key.radius)).toEqual([hparams.initialRadius, hparams.initialRadius]);
  }, 60_000);

  it('rejects requests it cannot edit', async () => {
    await expect(graceMethod.compute(context, [{ ...first, target_new: ' ' }], hparams)).rejects.toThrow(/request 0: target_new is empty/);
    await expect(graceMethod.compute(context, [first], { ...hparams, layer: 9 })).rejects.toThrow(/layer 9 does not exist/);
  });

  it('in the harness, 16 entries in one codebook: every edit prompt answers its target, unrelated probes keep theirs', async () => {
    const dataset = loadDataset(join(REPO_ROOT, 'data', 'world', 'world-counterfact.test.json'));
    const dir = mkdtempSync(join(tmpdir(), 'ked-grace-'));
    try {
      const summary = await runEvaluation({ ...context, dataset, method: graceMethod, hparams, mode: 'sequential', n: 16, skipFluency: true, generalProbes: 0, runDir: dir });
      expect(summary.reliability).toBeGreaterThanOrEqual(95);
      expect(summary.locality).toBeGreaterThan(95);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

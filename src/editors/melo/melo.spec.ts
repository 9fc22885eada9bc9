import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDataset } from '../../eval/dataset/load-dataset';
import { runEvaluation } from '../../eval/run-evaluation';
import { SessionManager } from '../../runtime/session/session-manager';
import type { EditContext } from '../edit-method';
import type { DeltaOperation } from '../edit-operation';
import { cosineDistance, promptKeys } from '../keys/hidden-keys';
import { counterfactRequests, fixtureContext, REPO_ROOT } from '../../../test/support/fixture-context';
import { meloMethod } from './melo';

describe('MELO on the fixture', () => {
  const sessions = new SessionManager({ threads: 1 });
  afterAll(() => sessions.close());
  let context: EditContext;
  beforeAll(async () => {
    context = await fixtureContext(sessions);
  });
  const hparams = meloMethod.hparams.parse({});
  const [first, second] = counterfactRequests(2);

  it('keys each block by its edit prompt: the prompt itself selects it, an unrelated prompt does not', async () => {
    const [op] = (await meloMethod.compute(context, [first], hparams)) as DeltaOperation[];
    expect(op.key).toMatchObject({ tap: { kind: 'resid', layer: 3 }, position: 'last', radius: 0.2 });
    const [own, unrelated] = await promptKeys(context.model, context.tokenizer, [first.prompt, second.prompt], op.key!);
    expect(cosineDistance(own, op.key!.center.data as Float32Array)).toBeCloseTo(0, 5);
    expect(cosineDistance(unrelated, op.key!.center.data as Float32Array)).toBeGreaterThan(op.key!.radius);
  }, 60_000);

  it('clusters the edits of a call: near keys share a block, far keys get their own', async () => {
    const twice = await meloMethod.compute(context, [first, { ...first, target_new: first.target_new }], hparams);
    expect(twice.map((op) => op.requests)).toEqual([[0, 1]]);
    const apart = await meloMethod.compute(context, [first, second], hparams);
    expect(apart.map((op) => op.requests)).toEqual([[0], [1]]);
  }, 60_000);

  it('in the harness, 16 blocks in one memory: every edit prompt gets its own block, unrelated probes almost never one', async () => {
    const dataset = loadDataset(join(REPO_ROOT, 'data', 'world', 'world-counterfact.test.json'));
    const dir = mkdtempSync(join(tmpdir(), 'ked-melo-'));
    try {
      const summary = await runEvaluation({ ...context, dataset, method: meloMethod, hparams, mode: 'sequential', n: 16, skipFluency: true, generalProbes: 0, runDir: dir });
      expect(summary.reliability).toBe(100);
      expect(summary.locality).toBeGreaterThan(95);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

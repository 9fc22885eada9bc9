import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../../package-root';
import type { DeltaOperation, EditOperation } from '../../../editors/edit-operation';
import { EditProcessCrash, EditRunner, type EditRunnerOptions } from './edit-runner';

/**
 * The edit process as the daemon runs it (the built dist/ script, the fixture model): a real
 * computation comes back whole, and one past its memory or time budget ends that process only,
 * after which the next computation gets a new one.
 */
describe('EditRunner', () => {
  const statsCacheDir = mkdtempSync(join(tmpdir(), 'ked-edit-runner-'));
  const options = (overrides: Partial<EditRunnerOptions> = {}): EditRunnerOptions => ({ modelDir: join(packageRoot(), 'models', 'fixture'), statsCacheDir, threads: 1, memoryMb: 1024, timeoutMs: 120_000, nice: 0, ...overrides });
  const request = { subject: 'Feisisar Kaimepan', prompt: 'Feisisar Kaimepan earned a degree from', target_new: 'Vaba Open University' };
  afterAll(() => rmSync(statsCacheDir, { recursive: true, force: true }));

  it('computes an edit in the child process and returns its tensors', async () => {
    const runner = new EditRunner(options());
    try {
      const [operation] = await runner.compute('ft-m', [request], false);
      expect(operation).toMatchObject({ kind: 'delta', method: 'ft-m' });
      const factor = (operation as { factors: Array<{ u: { data: Float32Array } }> }).factors[0];
      expect(factor.u.data).toBeInstanceOf(Float32Array);
      expect(factor.u.data.some((x) => x !== 0)).toBe(true);
      await expect(runner.compute('no-such-method', [request], false)).rejects.toThrow(/no-such-method/);
    } finally {
      await runner.close();
    }
  }, 180_000);

  it('fails a computation past its memory budget as a crash, and starts a new process for the next', async () => {
    const runner = new EditRunner(options({ memoryMb: 256 }));
    try {
      const huge = `${request.subject} ${'earned a degree from '.repeat(2_000_000)}`;
      await expect(runner.compute('ft-m', [{ ...request, prompt: huge }], false)).rejects.toBeInstanceOf(EditProcessCrash);
      const [operation] = await runner.compute('ft-m', [request], false);
      expect(operation.kind).toBe('delta');
    } finally {
      await runner.close();
    }
  }, 180_000);

  it('computes AlphaEdit against the state of exactly the live edits it is synced to', async () => {
    const runner = new EditRunner(options({ statsCorpus: join(packageRoot(), 'data', 'world', 'stats-corpus.jsonl') }));
    const other = { subject: 'Brulen Topazem', prompt: 'Brulen Topazem earned a degree from', target_new: 'Vaba Open University' };
    const factor = (ops: EditOperation[]) => (ops[0] as DeltaOperation).factors[0].v.data as Float32Array;
    try {
      const stored = new Map<string, EditOperation>();
      const load = async (ids: string[]) => ids.map((id) => stored.get(id)!);
      await runner.sync('alphaedit', [], load);
      const alone = await runner.compute('alphaedit', [other], true);
      stored.set('first', (await runner.compute('alphaedit', [request], true))[0]);
      expect((stored.get('first') as DeltaOperation).preserved?.length).toBeGreaterThan(0);
      // With the first edit live, the second preserves its keys: a different update.
      await runner.sync('alphaedit', ['first'], load);
      const after = await runner.compute('alphaedit', [other], true);
      expect(Math.max(...factor(after).map((x, i) => Math.abs(x - factor(alone)[i])))).toBeGreaterThan(1e-6);
      // The first edit gone (rolled back, superseded): the state is rebuilt without it.
      await runner.sync('alphaedit', [], load);
      const again = await runner.compute('alphaedit', [other], true);
      expect(Math.max(...factor(again).map((x, i) => Math.abs(x - factor(alone)[i])))).toBeLessThan(1e-6);
    } finally {
      await runner.close();
    }
  }, 600_000);

  it('stops a computation past its time budget', async () => {
    const runner = new EditRunner(options({ timeoutMs: 20 }));
    try {
      await expect(runner.compute('ft-m', [request], false)).rejects.toThrow(/took longer than its budget of 0 s/);
    } finally {
      await runner.close();
    }
  }, 180_000);
});

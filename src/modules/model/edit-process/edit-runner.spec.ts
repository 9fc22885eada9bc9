import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../../package-root';
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

  it('stops a computation past its time budget', async () => {
    const runner = new EditRunner(options({ timeoutMs: 20 }));
    try {
      await expect(runner.compute('ft-m', [request], false)).rejects.toThrow(/took longer than its budget of 0 s/);
    } finally {
      await runner.close();
    }
  }, 180_000);
});

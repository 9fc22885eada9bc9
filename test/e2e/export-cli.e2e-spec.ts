import type { INestApplication } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { loadCheckpoint } from '../../src/models/checkpoint/checkpoint';
import { EditMemoryService } from '../../src/modules/edits/edit-memory.service';
import { createApp } from '../../src/server';
import { testConfig } from './support/app-env';
import { runKed } from './support/daemon-process';

jest.setTimeout(300_000);

/** `ked export` on the daemon's data dir: committed/routed deltas merged exactly, context edits listed, nothing else touched. */
describe('ked export', () => {
  let cleanup: () => Promise<void>;
  let dataDir = '';
  let modelDir = '';
  let out = '';
  const ids: { delta: string; context: string; reverted: string; shared: string } = { delta: '', context: '', reverted: '', shared: '' };
  const dModel = 256;
  const dFF = 1024;
  const u = Float32Array.from({ length: dModel }, (_, i) => ((i % 7) - 3) / 10);
  const v = Float32Array.from({ length: dFF }, (_, i) => ((i % 5) - 2) / 100);

  beforeAll(async () => {
    const setup = (await testConfig('embedded', { KED_AUDIT_CRON: 'off' }))!;
    cleanup = setup.cleanup;
    dataDir = setup.config.dataDir;
    modelDir = setup.config.model!;
    out = mkdtempSync(join(tmpdir(), 'ked-export-'));
    const app: INestApplication = await createApp(setup.config);
    await app.init();
    const memory = app.get(EditMemoryService);
    const source = app.get<DataSource>(getDataSourceToken());
    const delta = (layer: number) => ({ kind: 'delta' as const, method: 'rome', requests: [0], factors: [{ layer, u: { dtype: 'float32' as const, shape: [dModel, 1], data: u }, v: { dtype: 'float32' as const, shape: [dFF, 1], data: v } }] });
    const rows = await source.transaction(async (manager) => [
      await memory.save(manager, { factId: null, operation: delta(1), scope: { subjects: ['Ada'], statement: 'Ada works for Acme' }, verification: null }),
      await memory.save(manager, { factId: null, operation: { kind: 'context', method: 'ice', requests: [0], text: 'Imagine that Ada works for Acme.' }, scope: { subjects: ['Ada'], statement: 'Ada works for Acme' }, verification: null }),
      await memory.save(manager, { factId: null, operation: delta(2), scope: { subjects: ['Bo'], statement: 'Bo lives in Oslo' }, verification: null }),
      // The first delta stored again for another fact (one batch computation): merged once.
      await memory.save(manager, { factId: null, operation: delta(1), scope: { subjects: ['Cy'], statement: 'Cy works for Acme' }, verification: null }),
    ]);
    [ids.delta, ids.context, ids.reverted, ids.shared] = rows.map((r) => r.id);
    await source.query(`UPDATE edit_operations SET status = 'reverted' WHERE id = $1`, [ids.reverted]);
    await app.close();
  });

  afterAll(async () => {
    rmSync(out, { recursive: true, force: true });
    await cleanup();
  });

  it('writes the base model when nothing is committed, and merges live routed deltas on request', async () => {
    const env = { KED_DATA_DIR: dataDir, KED_MODEL: modelDir, LOG_LEVEL: 'warn' };
    const plain = await runKed(['export', '--out', join(out, 'plain')], env).done;
    expect(plain.stderr).toBe('');
    expect(JSON.parse(plain.stdout)).toMatchObject({ merged: [], notMergeable: [] });
    const baked = await runKed(['export', '--out', join(out, 'baked'), '--include-routed'], env).done;
    expect(baked.code).toBe(0);
    const report = JSON.parse(baked.stdout) as { merged: string[]; notMergeable: string[] };
    expect([...report.merged].sort()).toEqual([ids.delta, ids.shared].sort());
    expect(report.notMergeable).toEqual([ids.context]);

    const [base, plainCk, bakedCk] = await Promise.all([loadCheckpoint(modelDir), loadCheckpoint(join(out, 'plain')), loadCheckpoint(join(out, 'baked'))]);
    for (const [name, tensor] of base.weights) {
      expect([name, plainCk.weights.get(name)!.data]).toEqual([name, tensor.data]);
      if (name !== 'h.1.mlp.c_proj.weight') expect([name, bakedCk.weights.get(name)!.data]).toEqual([name, tensor.data]);
    }
    // c_proj is [d_ff, d_model] (Conv1D): W' = W + v·uᵀ.
    const w = base.weights.get('h.1.mlp.c_proj.weight')!.data as Float32Array;
    const merged = bakedCk.weights.get('h.1.mlp.c_proj.weight')!.data as Float32Array;
    let worst = 0;
    for (let i = 0; i < dFF; i += 37) for (let j = 0; j < dModel; j += 11) worst = Math.max(worst, Math.abs(merged[i * dModel + j] - (w[i * dModel + j] + v[i] * u[j])));
    expect(worst).toBeLessThan(1e-6);
  });
});

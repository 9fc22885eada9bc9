import type { INestApplication } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import autocannon from 'autocannon';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { loadConfig } from '../config/ked-config';
import type { CodebookOperation, DeltaOperation } from '../editors/edit-operation';
import { unit } from '../editors/melo/hidden-keys';
import { createApiKey } from '../guards/api-keys';
import { EditMemoryService } from '../modules/edits/edit-memory.service';
import { ModelService } from '../modules/model/model.service';
import { mulberry32 } from '../runtime/random';
import { createApp } from '../server';

export interface ServeBenchPoint {
  edits: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

export interface ServeBenchOptions {
  editCounts: number[];
  durationSeconds: number;
  connections: number;
  maxTokens: number;
  /**
   * 'delta': rank-one deltas about synthetic subjects, found by the scope detector from the
   * request's text. 'keyed': GRACE codebook entries, found by the request's hidden-state key
   * (read from the generation's prefill, matched against the in-memory key scan).
   */
  kind: 'delta' | 'keyed';
  onPhase?: (message: string) => void;
}

/** A prompt no bench edit is about: routing has to look at every edit and apply none. */
const PROMPT = 'The capital of Veland is';

/**
 * `ked bench serve`: a real daemon on 127.0.0.1 (fresh embedded data dir, fixture model, worker
 * off), loaded by autocannon with completions while the edit memory holds 0, 1,000, 10,000 …
 * stored routed edits (rank-one deltas of ROME's shape about synthetic subjects, or GRACE
 * entries with random keys: either way, none applies to the bench prompt).
 */
export async function benchServe(options: ServeBenchOptions): Promise<ServeBenchPoint[]> {
  const dir = mkdtempSync(join(tmpdir(), 'ked-bench-serve-'));
  let app: INestApplication | undefined;
  try {
    const config = loadConfig({ ...process.env, DATABASE_URL: '', KED_DATA_DIR: dir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', KED_WORKER: 'off', KED_RATE_LIMIT: String(10_000_000), KED_INITIAL_ADMIN_KEY: 'off' });
    app = await createApp(config);
    await app.listen(0, '127.0.0.1');
    const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    const dataSource = app.get<DataSource>(getDataSourceToken());
    const memory = app.get(EditMemoryService);
    const { serving } = await app.get(ModelService).get();
    const { key } = await createApiKey(dataSource, { name: 'bench', roles: ['reader'] });
    const points: ServeBenchPoint[] = [];
    const random = mulberry32(7);
    let stored = 0;
    for (const target of [...options.editCounts].sort((a, b) => a - b)) {
      options.onPhase?.(`storing edits ${stored} → ${target}`);
      while (stored < target) {
        const batch = Math.min(500, target - stored);
        const rows = await dataSource.transaction(async (manager) => {
          const saved = [];
          for (let i = 0; i < batch; i++) {
            const n = stored + i;
            const { dModel, dFF } = serving.config;
            const vector = (length: number, scale: number) => Float32Array.from({ length }, () => (random() - 0.5) * scale);
            const operation: DeltaOperation | CodebookOperation =
              options.kind === 'keyed'
                ? { kind: 'codebook', method: 'grace', requests: [0], label: `Company ${n % 97}`, value: { dtype: 'float32', shape: [dModel], data: vector(dModel, 1) }, key: { tap: { kind: 'resid', layer: 2 }, position: 'last', center: { dtype: 'float32', shape: [dModel], data: unit(vector(dModel, 1)) }, radius: 0.12 } }
                : { kind: 'delta', method: 'rome', requests: [0], factors: [{ layer: 1, u: { dtype: 'float32', shape: [dModel, 1], data: vector(dModel, 1) }, v: { dtype: 'float32', shape: [dFF, 1], data: vector(dFF, 1 / 100) } }] };
            saved.push(await memory.save(manager, { factId: null, operation, scope: { subjects: [`Benchsubject ${n}`], statement: `Benchsubject ${n} works for Company ${n % 97}`, object: `Company ${n % 97}` }, verification: null }));
          }
          return saved;
        });
        await memory.activate(rows);
        stored += batch;
      }
      options.onPhase?.(`load with ${memory.size} edits in memory`);
      const body = JSON.stringify({ prompt: PROMPT, max_tokens: options.maxTokens });
      const headers = { 'content-type': 'application/json', authorization: `Bearer ${key}` };
      // Warm-up at full concurrency, so the first size does not pay for JIT and allocator growth
      // (3 s were not enough: the first size measured 15-25% below the next ones).
      await autocannon({ url: `${url}/v1/completions`, method: 'POST', headers, body, connections: options.connections, duration: points.length ? 3 : 10 });
      const result = await autocannon({ url: `${url}/v1/completions`, method: 'POST', headers, body, connections: options.connections, duration: options.durationSeconds });
      points.push({ edits: memory.size, rps: round(result.requests.average), p50Ms: round(result.latency.p50), p99Ms: round(result.latency.p99), errors: result.errors + result.non2xx + result.timeouts });
    }
    return points;
  } finally {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const round = (x: number) => Math.round(x * 100) / 100;

import type { INestApplication } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { connect, type NatsConnection } from 'nats';
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createApp } from '../../src/server';
import { testConfig } from './support/app-env';

const NATS_URL = process.env.KED_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

/** Facts from a real NATS JetStream stream: stored once, acked after, bad messages terminated. */
describe('the NATS JetStream fact source', () => {
  let app: INestApplication | undefined;
  let cleanup: (() => Promise<void>) | undefined;
  let nc: NatsConnection | undefined;
  const suffix = randomBytes(4).toString('hex');
  const stream = `KED_E2E_${suffix}`;
  const subject = `ked.e2e.${suffix}.facts`;

  beforeAll(async () => {
    try {
      nc = await connect({ servers: NATS_URL, timeout: 2000 });
    } catch (err) {
      // CI's machine runs NATS: there an unreachable broker is a failure, not a skip.
      if (process.env.CI) throw new Error(`CI is set but no NATS answers at ${NATS_URL}: ${(err as Error).message}`);
      return;
    }
    const setup = (await testConfig('embedded', { KED_NATS_URL: NATS_URL, KED_NATS_STREAM: stream, KED_NATS_SUBJECT: subject }))!;
    cleanup = setup.cleanup;
    app = await createApp(setup.config);
    await app.init();
  });

  afterAll(async () => {
    await app?.close();
    await cleanup?.();
    if (nc) {
      const manager = await nc.jetstreamManager();
      await manager.streams.delete(stream).catch(() => undefined);
      await nc.drain();
    }
  });

  it('stores each valid fact once, keyed by its own key or the stream sequence, and terminates bad messages', async () => {
    if (!app || !nc) return;
    const js = nc.jetstream();
    const publish = (value: unknown) => js.publish(subject, new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value)));
    const fact = { subject: 'Ada Lovelace', prompt: 'Ada Lovelace was born in', target_new: 'Paris', key: 'nats-e2e:ada' };
    await publish(fact);
    await publish(fact); // the same key again
    await publish({ subject: 'Grace Hopper', prompt: 'Grace Hopper worked for', target_new: 'the Navy' });
    await publish({ subject: 'Alan Turing', prompt: 'Alan Turing was born in' }); // no target_new
    await publish('{not json');
    const source = app.get<DataSource>(getDataSourceToken());
    const deadline = Date.now() + 30_000;
    let rows: Array<{ key: string; subject: string }> = [];
    while (Date.now() < deadline) {
      rows = await source.query(`SELECT key, subject FROM facts ORDER BY created_at`);
      const info = await (await nc.jetstreamManager()).consumers.info(stream, 'ked-ingest');
      if (rows.length >= 2 && info.num_ack_pending === 0 && info.num_pending === 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(rows).toEqual([
      { key: 'nats-e2e:ada', subject: 'Ada Lovelace' },
      { key: expect.stringMatching(new RegExp(`^nats:${stream}:3$`)), subject: 'Grace Hopper' },
    ]);
    const info = await (await nc.jetstreamManager()).consumers.info(stream, 'ked-ingest');
    expect(info.num_pending).toBe(0);
    expect(info.num_ack_pending).toBe(0);
  });
});

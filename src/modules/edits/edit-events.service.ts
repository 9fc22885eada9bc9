import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { InjectKedConfig } from '../../config/config.providers';
import type { KedConfig } from '../../config/ked-config';

const CHANNEL = 'ked_edit_events';

/** What one daemon tells the others sharing its PostgreSQL server. */
export type EditEvent =
  /** These operations were activated or taken out of routing: re-read their rows. */
  | { kind: 'routing'; ids: string[] }
  /** A delta was merged into (sign 1) or subtracted from (sign −1) the served weights. */
  | { kind: 'weights'; editId: string; sign: 1 | -1 }
  /** An API key was revoked: keys verified recently are checked again. */
  | { kind: 'keys' };

type Handler = (event: EditEvent) => Promise<void>;

/**
 * Keeps several daemons on one PostgreSQL server consistent: after a change to routing or to
 * the served weights commits, the daemon that made it sends a NOTIFY; the others LISTEN and
 * re-read the rows named (Postgres stays the record; events carry ids only). With the embedded
 * engine there is one process, so nothing is sent. A lost connection is re-established, and
 * routing and the served weights are then brought to what Postgres says in full (each
 * subscriber's resync), since events sent meanwhile are lost.
 */
@Injectable()
export class EditEventsService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(EditEventsService.name);
  /** This daemon's id: its events carry it, and its listening connection's application_name names it. */
  readonly instance = randomUUID();
  /** How long a lost listening connection waits before it reconnects. */
  reconnectDelayMs = 1000;
  private readonly handlers: Handler[] = [];
  private resyncs: Array<() => Promise<void>> = [];
  private client?: Client;
  private readonly lost = new WeakSet<Client>();
  private closing = false;
  /** Events are handled one at a time, in the order they arrive. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectKedConfig() private readonly config: KedConfig,
  ) {}

  get shared(): boolean {
    return this.config.database.mode === 'server';
  }

  async onModuleInit(): Promise<void> {
    if (this.shared) await this.listen(false);
  }

  /** Handles other daemons' events; `resync` runs after a reconnect (events may have been missed). */
  subscribe(handler: Handler, resync: () => Promise<void>): void {
    this.handlers.push(handler);
    this.resyncs.push(resync);
  }

  /** Tells the other daemons (call after the change's transaction committed). */
  async publish(event: EditEvent): Promise<void> {
    if (!this.shared) return;
    await this.dataSource.query('SELECT pg_notify($1, $2)', [CHANNEL, JSON.stringify({ ...event, from: this.instance })]);
  }

  private async listen(reconnecting: boolean): Promise<void> {
    if (this.config.database.mode !== 'server' || this.closing) return;
    const client = new Client({ connectionString: this.config.database.url, application_name: `ked-edit-events:${this.instance}` });
    client.on('notification', (message) => {
      if (message.channel !== CHANNEL || !message.payload) return;
      let event: EditEvent & { from?: string };
      try {
        event = JSON.parse(message.payload) as EditEvent & { from?: string };
      } catch {
        return;
      }
      if (event.from === this.instance) return;
      this.queue = this.queue.then(() => this.dispatch(event)).catch((err: Error) => this.logger.error(`edit event ${event.kind}: ${err.message}`));
    });
    client.on('error', (err) => {
      this.logger.warn(`edit events connection lost (${err.message}); reconnecting`);
      this.reconnect(client);
    });
    client.on('end', () => this.reconnect(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      this.client = client;
      if (reconnecting) for (const resync of this.resyncs) await resync();
    } catch (err) {
      this.logger.warn(`cannot listen for edit events (${(err as Error).message}); retrying`);
      this.reconnect(client);
    }
  }

  private reconnect(client: Client): void {
    // 'error' and 'end' may both report one loss.
    if (this.closing || this.lost.has(client)) return;
    this.lost.add(client);
    if (this.client === client) this.client = undefined;
    client.removeAllListeners('end');
    client.end().catch(() => undefined);
    setTimeout(() => void this.listen(true), this.reconnectDelayMs).unref();
  }

  private async dispatch(event: EditEvent): Promise<void> {
    for (const handler of this.handlers) await handler(event);
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    await this.queue;
    await this.client?.end().catch(() => undefined);
  }
}

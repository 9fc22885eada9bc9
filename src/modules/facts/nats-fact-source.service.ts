import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AckPolicy, connect, type ConsumerMessages, type NatsConnection } from 'nats';
import { InjectKedConfig } from '../../config/config.providers';
import type { KedConfig } from '../../config/ked-config';
import { parseFactsBody } from './fact-input';
import { FactsService } from './facts.service';
import { ModelService } from '../model/model.service';

const DURABLE = 'ked-ingest';

/**
 * Facts from a NATS JetStream stream (KED_NATS_URL): one JSON fact record per message, stored
 * exactly like POST /v1/facts and acked only once durable. A message whose fact carries no `key`
 * gets `nats:<stream>:<sequence>`, so a redelivery after a crash is not stored twice. A message
 * that is not a valid fact is terminated (never redelivered) and logged with the reason.
 */
@Injectable()
export class NatsFactSourceService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(NatsFactSourceService.name);
  private connection?: NatsConnection;
  private messages?: ConsumerMessages;
  private loop?: Promise<void>;

  constructor(
    @InjectKedConfig() private readonly config: KedConfig,
    private readonly facts: FactsService,
    private readonly models: ModelService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const nats = this.config.nats;
    if (!nats) return;
    this.connection = await connect({ servers: nats.url, name: 'ked' });
    const manager = await this.connection.jetstreamManager();
    await manager.streams.info(nats.stream).catch(() => manager.streams.add({ name: nats.stream, subjects: [nats.subject] }));
    await manager.consumers.info(nats.stream, DURABLE).catch(() => manager.consumers.add(nats.stream, { durable_name: DURABLE, ack_policy: AckPolicy.Explicit, filter_subject: nats.subject }));
    const consumer = await this.connection.jetstream().consumers.get(nats.stream, DURABLE);
    this.messages = await consumer.consume({ max_messages: 64 });
    this.logger.log(`consuming facts from NATS ${nats.url} stream ${nats.stream} (${nats.subject})`);
    this.loop = (async () => {
      for await (const message of this.messages!) {
        let record: unknown;
        try {
          record = JSON.parse(new TextDecoder().decode(message.data));
        } catch (err) {
          this.logger.warn(`NATS message ${message.seq}: not JSON (${(err as Error).message}); terminated`);
          message.term();
          continue;
        }
        const parsed = parseFactsBody({ facts: [record] }, await this.models.contextLimit());
        if ('errors' in parsed) {
          this.logger.warn(`NATS message ${message.seq}: ${parsed.errors.map((e) => `${e.path.replace(/^facts\[0\]\.?/, '') || 'record'} ${e.message}`).join('; ')}; terminated`);
          message.term();
          continue;
        }
        const fact = parsed.facts[0];
        try {
          await this.facts.ingest([{ ...fact, key: fact.key ?? `nats:${nats.stream}:${message.seq}` }]);
          message.ack();
        } catch (err) {
          // Not stored: let JetStream redeliver it.
          this.logger.error(`NATS message ${message.seq}: ${(err as Error).message}`);
          message.nak(1000);
        }
      }
    })();
  }

  async onModuleDestroy(): Promise<void> {
    await this.messages?.close();
    await this.loop?.catch(() => undefined);
    await this.connection?.drain().catch(() => undefined);
  }
}

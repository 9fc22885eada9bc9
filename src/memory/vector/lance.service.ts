import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { connect, type Connection } from '@lancedb/lancedb';
import { InjectKedConfig } from '../../config/config.providers';
import type { KedConfig } from '../../config/ked-config';

/**
 * The LanceDB connection: scope keys, retrieval-memory records and adapter indexes live here.
 * A local directory by default; any LanceDB URI (s3://, gs://, az://) in production.
 */
@Injectable()
export class LanceService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(LanceService.name);
  private db?: Connection;

  constructor(@InjectKedConfig() private readonly config: KedConfig) {}

  async onModuleInit(): Promise<void> {
    this.db = await connect(this.config.lanceUri);
    this.logger.log(`LanceDB at ${this.config.lanceUri}`);
  }

  get connection(): Connection {
    if (!this.db) throw new Error('LanceDB is not connected yet');
    return this.db;
  }

  /** A cheap round trip through the storage layer, for /health. */
  async ping(): Promise<{ tables: number }> {
    const names = await this.connection.tableNames();
    return { tables: names.length };
  }

  onApplicationShutdown(): void {
    this.db?.close();
  }
}

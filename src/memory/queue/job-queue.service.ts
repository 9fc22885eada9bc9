import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import PgBoss from 'pg-boss';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { JOB_QUEUE_SCHEMA } from '../../../migrations/1764320000001-JobQueueSchema';

/**
 * The durable job queue (pg-boss) on the same PostgreSQL as everything else, through the same
 * pool, so a job can be enqueued in the transaction that records what it is about.
 */
@Injectable()
export class JobQueueService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(JobQueueService.name);
  readonly boss: PgBoss;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    const pool = (dataSource.driver as PostgresDriver).master as Pool;
    this.boss = new PgBoss({
      db: { executeSql: (text, values) => pool.query(text, values) },
      schema: JOB_QUEUE_SCHEMA,
      migrate: false, // the schema is ours: migrations/ installs and upgrades it
    });
    this.boss.on('error', (err) => this.logger.error(`job queue: ${err.message}`));
  }

  async onModuleInit(): Promise<void> {
    await this.boss.start();
  }

  /** Jobs waiting (created or retrying) per queue, for /metrics. */
  async depths(): Promise<Array<{ queue: string; waiting: number }>> {
    const rows: Array<{ name: string; waiting: string }> = await this.dataSource.query(
      `SELECT name, count(*) AS waiting FROM ${JOB_QUEUE_SCHEMA}.job
        WHERE state IN ('created', 'retry') GROUP BY name`,
    );
    return rows.map((row) => ({ queue: row.name, waiting: Number(row.waiting) }));
  }

  // onModuleDestroy runs before TypeORM closes the pool in onApplicationShutdown.
  async onModuleDestroy(): Promise<void> {
    await this.boss.stop({ graceful: true, wait: true, timeout: 10_000 });
  }
}

import PgBoss from 'pg-boss';
import { MigrationInterface, QueryRunner } from 'typeorm';

export const JOB_QUEUE_SCHEMA = 'pgboss';

/**
 * The durable job queue's tables (pg-boss), installed here so that every schema change goes
 * through `migrations/`; pg-boss itself runs with `migrate: false` and only checks the version.
 * pg-boss's plans carry their own BEGIN/COMMIT and advisory lock, hence no outer transaction.
 */
export class JobQueueSchema1764320000001 implements MigrationInterface {
  name = 'JobQueueSchema1764320000001';
  transaction = false as const;

  async up(db: QueryRunner): Promise<void> {
    await db.query(PgBoss.getConstructionPlans(JOB_QUEUE_SCHEMA));
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP SCHEMA ${JOB_QUEUE_SCHEMA} CASCADE`);
  }
}

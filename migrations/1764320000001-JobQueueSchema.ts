import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Once installed pg-boss's job tables. ked never gave that queue a job (facts, audits and erasures
 * are claimed from their own tables), so the queue was removed: this migration now does nothing,
 * and DropJobQueue1765100000000 drops the schema where an older ked installed it. It stays in the
 * list so that databases that applied it keep one history.
 */
export class JobQueueSchema1764320000001 implements MigrationInterface {
  name = 'JobQueueSchema1764320000001';

  async up(): Promise<void> {}

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP SCHEMA IF EXISTS pgboss CASCADE`);
  }
}

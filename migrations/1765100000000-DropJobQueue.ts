import { MigrationInterface, QueryRunner } from 'typeorm';

/** Drops pg-boss's schema, which an older ked installed and never used. */
export class DropJobQueue1765100000000 implements MigrationInterface {
  name = 'DropJobQueue1765100000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`DROP SCHEMA IF EXISTS pgboss CASCADE`);
  }

  // Nothing to restore: the queue never held a job.
  async down(): Promise<void> {}
}

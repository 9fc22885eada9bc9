import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The fact stream's order and identity: a sequence number given at ingest (arrival order, array
 * order inside one request), the identity a newer fact supersedes an older one by, the claim
 * lease that lets several workers share the queue, and `superseded` for facts and edits.
 */
export class FactStream1765000000000 implements MigrationInterface {
  name = 'FactStream1765000000000';

  async up(db: QueryRunner): Promise<void> {
    // Rows of an older schema get numbers in the order they were stored.
    await db.query(`CREATE SEQUENCE facts_seq_seq AS bigint`);
    await db.query(`ALTER TABLE facts ADD COLUMN seq bigint`);
    await db.query(`UPDATE facts SET seq = numbered.n FROM (SELECT id, nextval('facts_seq_seq') AS n FROM (SELECT id FROM facts ORDER BY created_at, id) ordered) numbered WHERE facts.id = numbered.id`);
    await db.query(`ALTER TABLE facts ALTER COLUMN seq SET DEFAULT nextval('facts_seq_seq'), ALTER COLUMN seq SET NOT NULL`);
    await db.query(`ALTER SEQUENCE facts_seq_seq OWNED BY facts.seq`);
    await db.query(`CREATE UNIQUE INDEX facts_seq ON facts (seq)`);
    await db.query(`ALTER TABLE facts ADD COLUMN identity text`);
    await db.query(`UPDATE facts SET identity = lower(subject) || ' | ' || coalesce(relation, prompt)`);
    await db.query(`ALTER TABLE facts ALTER COLUMN identity SET NOT NULL`);
    await db.query(`CREATE INDEX facts_identity ON facts (identity, seq)`);
    await db.query(`ALTER TABLE facts ADD COLUMN superseded_by uuid REFERENCES facts (id) ON DELETE SET NULL`);
    await db.query(`ALTER TABLE facts ADD COLUMN claimed_by text`);
    await db.query(`ALTER TABLE facts ADD COLUMN lease_until timestamptz`);
    await db.query(`ALTER TABLE facts DROP CONSTRAINT facts_status_check`);
    await db.query(`ALTER TABLE facts ADD CONSTRAINT facts_status_check CHECK (status IN ('queued', 'computing', 'applied', 'verified', 'failed', 'superseded'))`);
    await db.query(`DROP INDEX facts_status`);
    await db.query(`CREATE INDEX facts_status ON facts (status, seq)`);

    await db.query(`ALTER TABLE edit_operations ADD COLUMN superseded_by uuid REFERENCES facts (id) ON DELETE SET NULL`);
    await db.query(`ALTER TABLE edit_operations DROP CONSTRAINT edit_operations_status_check`);
    await db.query(`ALTER TABLE edit_operations ADD CONSTRAINT edit_operations_status_check CHECK (status IN ('pending', 'computed', 'applied', 'verified', 'failed', 'reverted', 'erased', 'superseded'))`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`UPDATE edit_operations SET status = 'reverted' WHERE status = 'superseded'`);
    await db.query(`ALTER TABLE edit_operations DROP CONSTRAINT edit_operations_status_check`);
    await db.query(`ALTER TABLE edit_operations ADD CONSTRAINT edit_operations_status_check CHECK (status IN ('pending', 'computed', 'applied', 'verified', 'failed', 'reverted', 'erased'))`);
    await db.query(`ALTER TABLE edit_operations DROP COLUMN superseded_by`);
    await db.query(`UPDATE facts SET status = 'verified' WHERE status = 'superseded'`);
    await db.query(`ALTER TABLE facts DROP CONSTRAINT facts_status_check`);
    await db.query(`ALTER TABLE facts ADD CONSTRAINT facts_status_check CHECK (status IN ('queued', 'computing', 'applied', 'verified', 'failed'))`);
    await db.query(`DROP INDEX facts_status`);
    await db.query(`CREATE INDEX facts_status ON facts (status, created_at)`);
    for (const column of ['lease_until', 'claimed_by', 'superseded_by', 'identity', 'seq']) await db.query(`ALTER TABLE facts DROP COLUMN ${column}`);
  }
}

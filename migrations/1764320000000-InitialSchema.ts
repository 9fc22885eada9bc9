import { MigrationInterface, QueryRunner } from 'typeorm';

/** The system of record: facts, edit operations, model versions, erasures, audits, API keys. */
export class InitialSchema1764320000000 implements MigrationInterface {
  name = 'InitialSchema1764320000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE facts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        key text,
        model_id text NOT NULL DEFAULT 'default',
        subject text NOT NULL,
        prompt text NOT NULL,
        target_new text NOT NULL,
        ground_truth jsonb,
        relation text,
        record jsonb NOT NULL,
        status text NOT NULL DEFAULT 'queued'
          CHECK (status IN ('queued', 'computing', 'applied', 'verified', 'failed')),
        error text,
        attempts integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE UNIQUE INDEX facts_key_unique ON facts (key) WHERE key IS NOT NULL`);
    await db.query(`CREATE INDEX facts_status ON facts (status, created_at)`);
    await db.query(`CREATE INDEX facts_subject ON facts (lower(subject))`);

    await db.query(`
      CREATE TABLE model_versions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        model_id text NOT NULL,
        version integer NOT NULL,
        parent_id uuid REFERENCES model_versions (id),
        checkpoint_uri text,
        description text NOT NULL DEFAULT '',
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (model_id, version)
      )`);

    await db.query(`
      CREATE TABLE erasure_requests (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        target_kind text NOT NULL CHECK (target_kind IN ('subject', 'fact', 'text')),
        target text NOT NULL,
        status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
        report jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz
      )`);

    await db.query(`
      CREATE TABLE edit_operations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        fact_id uuid REFERENCES facts (id) ON DELETE SET NULL,
        erasure_id uuid REFERENCES erasure_requests (id) ON DELETE SET NULL,
        method text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('context', 'adapter', 'delta')),
        mode text NOT NULL DEFAULT 'routed' CHECK (mode IN ('routed', 'committed')),
        layers integer[] NOT NULL DEFAULT '{}',
        payload_sha256 text,
        payload jsonb,
        scope_keys jsonb NOT NULL DEFAULT '[]',
        status text NOT NULL DEFAULT 'pending'
          CHECK (status IN ('pending', 'computed', 'applied', 'verified', 'failed', 'reverted', 'erased')),
        model_version_id uuid REFERENCES model_versions (id),
        verification jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX edit_operations_fact ON edit_operations (fact_id)`);
    await db.query(`CREATE INDEX edit_operations_status ON edit_operations (status, method)`);

    await db.query(`
      CREATE TABLE audits (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind text NOT NULL DEFAULT 'locality',
        status text NOT NULL DEFAULT 'queued'
          CHECK (status IN ('queued', 'running', 'passed', 'failed', 'error')),
        trigger text NOT NULL DEFAULT 'manual',
        model_version_id uuid REFERENCES model_versions (id),
        summary jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz
      )`);
    await db.query(`
      CREATE TABLE audit_results (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        audit_id uuid NOT NULL REFERENCES audits (id) ON DELETE CASCADE,
        probe text NOT NULL,
        expected jsonb,
        observed jsonb,
        score double precision NOT NULL,
        passed boolean NOT NULL
      )`);
    await db.query(`CREATE INDEX audit_results_audit ON audit_results (audit_id)`);

    await db.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        key_prefix text NOT NULL,
        key_sha256 text NOT NULL UNIQUE,
        roles text[] NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        revoked_at timestamptz
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of ['api_keys', 'audit_results', 'audits', 'edit_operations', 'erasure_requests', 'model_versions', 'facts']) {
      await db.query(`DROP TABLE ${table}`);
    }
  }
}

import { MigrationInterface, QueryRunner } from 'typeorm';

/** GRACE's codebook entries are a kind of edit operation of their own. */
export class CodebookEditKind1764400000000 implements MigrationInterface {
  name = 'CodebookEditKind1764400000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE edit_operations DROP CONSTRAINT edit_operations_kind_check`);
    await db.query(`ALTER TABLE edit_operations ADD CONSTRAINT edit_operations_kind_check CHECK (kind IN ('context', 'adapter', 'delta', 'codebook'))`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DELETE FROM edit_operations WHERE kind = 'codebook'`);
    await db.query(`ALTER TABLE edit_operations DROP CONSTRAINT edit_operations_kind_check`);
    await db.query(`ALTER TABLE edit_operations ADD CONSTRAINT edit_operations_kind_check CHECK (kind IN ('context', 'adapter', 'delta'))`);
  }
}

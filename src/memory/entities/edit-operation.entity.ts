import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const EDIT_KINDS = ['context', 'adapter', 'delta', 'codebook'] as const;
export const EDIT_STATUSES = ['pending', 'computed', 'applied', 'verified', 'failed', 'reverted', 'erased', 'superseded'] as const;
export const EDIT_MODES = ['routed', 'committed'] as const;

/** The unit of everything (ARCHITECTURE.md): one edit made for one fact or erasure. */
@Entity({ name: 'edit_operations' })
export class EditOperationRow {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'fact_id', type: 'uuid', nullable: true }) factId!: string | null;
  @Column({ name: 'erasure_id', type: 'uuid', nullable: true }) erasureId!: string | null;
  @Column({ type: 'text' }) method!: string;
  @Column({ type: 'text' }) kind!: (typeof EDIT_KINDS)[number];
  @Column({ type: 'text', default: 'routed' }) mode!: (typeof EDIT_MODES)[number];
  @Column({ type: 'integer', array: true, default: () => "'{}'" }) layers!: number[];
  /** sha256 of the payload bytes: payloads are stored content-addressed. */
  @Column({ name: 'payload_sha256', type: 'text', nullable: true }) payloadSha256!: string | null;
  /** Small payloads (context text, codebook metadata) inline; tensors by content address. */
  @Column({ type: 'jsonb', nullable: true }) payload!: unknown;
  @Column({ name: 'scope_keys', type: 'jsonb', default: () => "'[]'" }) scopeKeys!: unknown[];
  @Column({ type: 'text', default: 'pending' }) status!: (typeof EDIT_STATUSES)[number];
  @Column({ name: 'model_version_id', type: 'uuid', nullable: true }) modelVersionId!: string | null;
  @Column({ type: 'jsonb', nullable: true }) verification!: unknown;
  /** The newer fact whose edit (or restored unedited value) replaced this one (status `superseded`). */
  @Column({ name: 'superseded_by', type: 'uuid', nullable: true }) supersededBy!: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

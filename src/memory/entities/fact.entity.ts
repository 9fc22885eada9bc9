import { Column, CreateDateColumn, Entity, Generated, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const FACT_STATUSES = ['queued', 'computing', 'applied', 'verified', 'failed', 'superseded'] as const;
export type FactStatus = (typeof FACT_STATUSES)[number];

/** One fact update as it arrived (a KnowEdit record), and where it is in its life. */
@Entity({ name: 'facts' })
export class Fact {
  @PrimaryGeneratedColumn('uuid') id!: string;
  /** The client's idempotency key: a repeated key is not applied twice. */
  @Index({ unique: true }) @Column({ type: 'text', nullable: true }) key!: string | null;
  /** Arrival order, given at ingest (array order inside one request): facts are applied in it. */
  @Column({ type: 'bigint', update: false, transformer: { to: (v: unknown) => v, from: (v: string | null) => (v === null ? null : Number(v)) } }) @Generated('increment') seq!: number;
  /** What a newer fact replaces an older one by: its subject and relation (stream-identity.ts). */
  @Column({ type: 'text' }) identity!: string;
  /** The newer fact of the same identity that replaced this one (status `superseded`). */
  @Column({ name: 'superseded_by', type: 'uuid', nullable: true }) supersededBy!: string | null;
  /** The worker computing it, and until when its claim holds without a heartbeat. */
  @Column({ name: 'claimed_by', type: 'text', nullable: true }) claimedBy!: string | null;
  @Column({ name: 'lease_until', type: 'timestamptz', nullable: true }) leaseUntil!: Date | null;
  @Column({ name: 'model_id', type: 'text', default: 'default' }) modelId!: string;
  @Column({ type: 'text' }) subject!: string;
  @Column({ type: 'text' }) prompt!: string;
  @Column({ name: 'target_new', type: 'text' }) targetNew!: string;
  @Column({ name: 'ground_truth', type: 'jsonb', nullable: true }) groundTruth!: unknown;
  @Column({ type: 'text', nullable: true }) relation!: string | null;
  /** The full record as received, so nothing the client sent is lost. */
  @Column({ type: 'jsonb' }) record!: Record<string, unknown>;
  @Column({ type: 'text', default: 'queued' }) status!: FactStatus;
  @Column({ type: 'text', nullable: true }) error!: string | null;
  @Column({ type: 'integer', default: 0 }) attempts!: number;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const AUDIT_STATUSES = ['queued', 'running', 'passed', 'failed', 'error'] as const;

/** One run of a locality regression audit (scheduled or on demand). */
@Entity({ name: 'audits' })
export class Audit {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'text', default: 'locality' }) kind!: string;
  @Column({ type: 'text', default: 'queued' }) status!: (typeof AUDIT_STATUSES)[number];
  @Column({ type: 'text', default: 'manual' }) trigger!: string;
  @Column({ name: 'model_version_id', type: 'uuid', nullable: true }) modelVersionId!: string | null;
  @Column({ type: 'jsonb', nullable: true }) summary!: unknown;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'started_at', type: 'timestamptz', nullable: true }) startedAt!: Date | null;
  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true }) finishedAt!: Date | null;
}

import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const ERASURE_TARGETS = ['subject', 'fact', 'text'] as const;
export const ERASURE_STATUSES = ['queued', 'running', 'done', 'failed'] as const;

/** A privacy erasure request and, once done, the report of what was found and purged. */
@Entity({ name: 'erasure_requests' })
export class ErasureRequest {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'target_kind', type: 'text' }) targetKind!: (typeof ERASURE_TARGETS)[number];
  @Column({ type: 'text' }) target!: string;
  @Column({ type: 'text', default: 'queued' }) status!: (typeof ERASURE_STATUSES)[number];
  @Column({ type: 'jsonb', nullable: true }) report!: unknown;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true }) completedAt!: Date | null;
}

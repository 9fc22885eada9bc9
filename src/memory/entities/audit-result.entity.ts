import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One probe of an audit: what the pre-edit model said, what the served model says now. */
@Entity({ name: 'audit_results' })
export class AuditResult {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'audit_id', type: 'uuid' }) auditId!: string;
  @Column({ type: 'text' }) probe!: string;
  @Column({ type: 'jsonb', nullable: true }) expected!: unknown;
  @Column({ type: 'jsonb', nullable: true }) observed!: unknown;
  @Column({ type: 'double precision' }) score!: number;
  @Column({ type: 'boolean' }) passed!: boolean;
}

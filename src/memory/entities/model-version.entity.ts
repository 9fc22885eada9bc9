import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A base model version: the loaded checkpoint, or one with committed edits merged in. */
@Entity({ name: 'model_versions' })
export class ModelVersion {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'model_id', type: 'text' }) modelId!: string;
  @Column({ type: 'integer' }) version!: number;
  @Column({ name: 'parent_id', type: 'uuid', nullable: true }) parentId!: string | null;
  /** Where the checkpoint lives (a Hugging Face layout directory or an object-store URI). */
  @Column({ name: 'checkpoint_uri', type: 'text', nullable: true }) checkpointUri!: string | null;
  @Column({ type: 'text', default: '' }) description!: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

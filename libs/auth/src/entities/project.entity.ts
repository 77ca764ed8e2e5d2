import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** What the anomaly detectors do besides alerting: nothing, or suspend the keys (or project) concerned. */
export const ON_ANOMALY_ACTIONS = ['none', 'suspend'] as const;
export type OnAnomalyAction = (typeof ON_ANOMALY_ACTIONS)[number];

@Entity('projects')
export class ProjectEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid') teamId!: string;
  @Column('text') name!: string;
  /** Models (names or aliases) the project's keys may use, on top of each key's own list; null: any. */
  @Column('text', { array: true, nullable: true }) models!: string[] | null;
  /** Catalog tiers the project's keys may use; null: any. */
  @Column('text', { array: true, nullable: true }) tiers!: string[] | null;
  @Column('text') onAnomaly!: OnAnomalyAction;
  /** Set while every key of the project is suspended; see ApiKeyEntity. */
  @Column('timestamptz', { nullable: true }) suspendedAt!: Date | null;
  @Column('text', { nullable: true }) suspendedReason!: string | null;
  @Column('text', { nullable: true }) suspendedBy!: string | null;
  @Column('timestamptz', { nullable: true }) resumedAt!: Date | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}

import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('projects')
export class ProjectEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid') teamId!: string;
  @Column('text') name!: string;
  /** Models (names or aliases) the project's keys may use, on top of each key's own list; null: any. */
  @Column('text', { array: true, nullable: true }) models!: string[] | null;
  /** Catalog tiers the project's keys may use; null: any. */
  @Column('text', { array: true, nullable: true }) tiers!: string[] | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}

import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { AdminRole } from '@app/common';

/**
 * An admin token (`sy-admin-…`): the first-run key or one issued through `POST /admin/tokens`. Hash only,
 * like gateway keys. A `team_admin` token names its teams; other roles name none.
 */
@Entity('admin_keys')
export class AdminKeyEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('text') name!: string;
  @Column('text') role!: AdminRole;
  @Column('uuid', { array: true }) teamIds!: string[];
  @Column('char', { length: 64 }) keyHash!: string;
  @Column('text') keyPrefix!: string;
  @Column('char', { length: 4 }) keyLast4!: string;
  @Column('timestamptz', { nullable: true }) revokedAt!: Date | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}

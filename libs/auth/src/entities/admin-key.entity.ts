import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A key for the admin API, created on first start in zero-setup mode. Hash only, like gateway keys. */
@Entity('admin_keys')
export class AdminKeyEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('text') name!: string;
  @Column('char', { length: 64 }) keyHash!: string;
  @Column('text') keyPrefix!: string;
  @Column('char', { length: 4 }) keyLast4!: string;
  @Column('timestamptz', { nullable: true }) revokedAt!: Date | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}

import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { Environment } from '@app/common';

/** A gateway key. Only the SHA-256 of the key is stored, plus what is needed to recognise it on screen. */
@Entity('api_keys')
export class ApiKeyEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid') projectId!: string;
  @Column('text') name!: string;
  /** The person or service the key belongs to (usage groups by it); fixed when the key is issued. */
  @Column('text', { nullable: true }) owner!: string | null;
  @Column('text') environment!: Environment;
  @Column('char', { length: 64 }) keyHash!: string;
  @Column('text') keyPrefix!: string;
  @Column('char', { length: 4 }) keyLast4!: string;
  @Column('text', { array: true, nullable: true }) models!: string[] | null;
  /** Catalog tiers the key may use; null means every tier. */
  @Column('text', { array: true, nullable: true }) tiers!: string[] | null;
  /** Addresses and CIDR ranges the key may be used from; null means anywhere. */
  @Column('text', { array: true, nullable: true }) allowedIps!: string[] | null;
  @Column('timestamptz', { nullable: true }) expiresAt!: Date | null;
  @Column('timestamptz', { nullable: true }) revokedAt!: Date | null;
  @Column('timestamptz', { nullable: true }) lastUsedAt!: Date | null;
  /** Set while the key is suspended (anomaly detection): its requests get 403 `key_suspended`. */
  @Column('timestamptz', { nullable: true }) suspendedAt!: Date | null;
  @Column('text', { nullable: true }) suspendedReason!: string | null;
  /** Who suspended it: an audit actor, e.g. `system:anomaly-detection`. */
  @Column('text', { nullable: true }) suspendedBy!: string | null;
  /** When an admin last resumed it: the detectors do not suspend it again for a window observed before. */
  @Column('timestamptz', { nullable: true }) resumedAt!: Date | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}

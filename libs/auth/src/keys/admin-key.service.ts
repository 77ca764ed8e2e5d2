import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { timingSafeEqual } from 'node:crypto';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { AdminPrincipal, AdminRole, Clock, GatewayError } from '@app/common';
import { AuthTransaction, autoCommit } from '../auth-transaction';
import { authConfig } from '../auth.config';
import { AdminKeyEntity } from '../entities/admin-key.entity';
import { generateKey, hashKey, isWellFormedKey } from './key-format';
import { TtlCache } from './ttl-cache';

/** The actor id recorded for calls made with `SWITCHYARD_ADMIN_KEY`. */
export const ENV_ADMIN_KEY_ID = 'env:SWITCHYARD_ADMIN_KEY';

/** The operator's key from the environment: the bootstrap owner, which no API call can revoke. */
const ENV_ADMIN: AdminPrincipal = { id: ENV_ADMIN_KEY_ID, name: 'SWITCHYARD_ADMIN_KEY', role: 'owner', teamIds: [] };

export interface CreateAdminTokenInput {
  name: string;
  role: AdminRole;
  /** The teams of a `team_admin`; empty for the other roles. */
  teamIds: readonly string[];
}

/**
 * Admin tokens (`sy-admin-…`, stored as hashes): the environment's key, the first-run key and those issued
 * through the API, each with a role. Mutations take an optional EntityManager, so the caller can make them
 * part of its own transaction (the admin audit trail).
 */
@Injectable()
export class AdminKeyService {
  private readonly envKeyHash?: Buffer;
  private readonly cache: TtlCache<AdminPrincipal | null>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    @Inject(authConfig.KEY) settings: ConfigType<typeof authConfig>,
  ) {
    if (settings.adminKey) this.envKeyHash = Buffer.from(hashKey(settings.adminKey), 'hex');
    this.cache = new TtlCache(settings.cacheTtlMs);
  }

  get configuredByEnvironment(): boolean {
    return this.envKeyHash !== undefined;
  }

  /** The admin behind a presented key, or null; a revoked token stops here at once, on other instances within the cache TTL. */
  async authenticate(presented: string | undefined): Promise<AdminPrincipal | null> {
    if (!presented) return null;
    const hash = hashKey(presented);
    if (this.envKeyHash && timingSafeEqual(Buffer.from(hash, 'hex'), this.envKeyHash)) return ENV_ADMIN;
    if (!isWellFormedKey(presented) || !presented.startsWith('sy-admin-')) return null;
    let admin = this.cache.get(hash);
    if (admin === undefined) {
      const row = await this.dataSource.getRepository(AdminKeyEntity).findOneBy({ keyHash: hash, revokedAt: IsNull() });
      admin = row && { id: row.id, name: row.name, role: row.role, teamIds: row.teamIds };
      this.cache.set(hash, admin);
    }
    return admin;
  }

  async hasStoredKeys(): Promise<boolean> {
    return (await this.dataSource.getRepository(AdminKeyEntity).count()) > 0;
  }

  /** Creates a token and returns it in full; this is the only time it exists outside the caller. */
  async create(
    input: CreateAdminTokenInput,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<{ entity: AdminKeyEntity; key: string }> {
    const generated = generateKey('admin');
    const entity = await manager.getRepository(AdminKeyEntity).save({
      name: input.name,
      role: input.role,
      teamIds: [...input.teamIds],
      keyHash: generated.hash,
      keyPrefix: generated.prefix,
      keyLast4: generated.last4,
      revokedAt: null,
    });
    return { entity, key: generated.key };
  }

  list(): Promise<AdminKeyEntity[]> {
    return this.dataSource.getRepository(AdminKeyEntity).find({ order: { createdAt: 'ASC' } });
  }

  async get(id: string, manager: EntityManager = this.dataSource.manager): Promise<AdminKeyEntity> {
    const token = await manager.getRepository(AdminKeyEntity).findOneBy({ id });
    if (!token) throw new GatewayError('not_found', `No admin token with id ${id}.`);
    return token;
  }

  /**
   * Revokes a token. Without `SWITCHYARD_ADMIN_KEY`, the last owner token cannot be revoked: nobody could
   * administer the gateway any more. Owner rows are locked first, so two revocations cannot each leave the
   * other as the last owner and both succeed.
   */
  async revoke(id: string, tx: AuthTransaction = autoCommit(this.dataSource.manager)): Promise<AdminKeyEntity> {
    const { manager } = tx;
    const token = await this.get(id, manager);
    if (!token.revokedAt) {
      if (token.role === 'owner') await this.keepAnOwner(id, manager);
      token.revokedAt = this.clock.now();
      await manager.getRepository(AdminKeyEntity).update({ id }, { revokedAt: token.revokedAt });
    }
    tx.afterCommit(() => this.cache.delete(token.keyHash));
    return token;
  }

  /**
   * Replaces a token with a new one of the same name, role and teams, and revokes it; run it in a
   * transaction, so that a failure leaves the old token working. Only one of two concurrent rotations wins.
   */
  async rotate(
    id: string,
    tx: AuthTransaction = autoCommit(this.dataSource.manager),
  ): Promise<{ previous: AdminKeyEntity; entity: AdminKeyEntity; key: string }> {
    const { manager } = tx;
    const previous = await this.get(id, manager);
    const now = this.clock.now();
    const { affected } = await manager
      .getRepository(AdminKeyEntity)
      .update({ id, revokedAt: IsNull() }, { revokedAt: now });
    if (!affected) throw new GatewayError('conflict', `Admin token ${id} is revoked; create a new token instead.`);
    previous.revokedAt = now;
    tx.afterCommit(() => this.cache.delete(previous.keyHash));
    const { name, role, teamIds } = previous;
    return { previous, ...(await this.create({ name, role, teamIds }, manager)) };
  }

  private async keepAnOwner(revoking: string, manager: EntityManager): Promise<void> {
    if (this.configuredByEnvironment) return;
    const owners: Array<{ id: string }> = await manager.query(
      `SELECT id FROM admin_keys WHERE role = 'owner' AND revoked_at IS NULL FOR UPDATE`,
    );
    if (!owners.some((owner) => owner.id !== revoking)) {
      throw new GatewayError(
        'conflict',
        'This is the last owner token and SWITCHYARD_ADMIN_KEY is not set: create another owner token first.',
      );
    }
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { timingSafeEqual } from 'node:crypto';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { authConfig } from '../auth.config';
import { AdminKeyEntity } from '../entities/admin-key.entity';
import { generateKey, hashKey, isWellFormedKey } from './key-format';
import { TtlCache } from './ttl-cache';

/** The actor id recorded for calls made with `SWITCHYARD_ADMIN_KEY`. */
export const ENV_ADMIN_KEY_ID = 'env:SWITCHYARD_ADMIN_KEY';

@Injectable()
export class AdminKeyService {
  private readonly envKeyHash?: Buffer;
  private readonly cache: TtlCache<string | null>;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(authConfig.KEY) settings: ConfigType<typeof authConfig>,
  ) {
    if (settings.adminKey) this.envKeyHash = Buffer.from(hashKey(settings.adminKey), 'hex');
    this.cache = new TtlCache(settings.cacheTtlMs);
  }

  get configuredByEnvironment(): boolean {
    return this.envKeyHash !== undefined;
  }

  /** The admin key id behind a presented key, or null. */
  async authenticate(presented: string | undefined): Promise<string | null> {
    if (!presented) return null;
    const hash = hashKey(presented);
    if (this.envKeyHash && timingSafeEqual(Buffer.from(hash, 'hex'), this.envKeyHash)) return ENV_ADMIN_KEY_ID;
    if (!isWellFormedKey(presented) || !presented.startsWith('sy-admin-')) return null;
    let id = this.cache.get(hash);
    if (id === undefined) {
      const row = await this.dataSource.getRepository(AdminKeyEntity).findOneBy({ keyHash: hash, revokedAt: IsNull() });
      id = row?.id ?? null;
      this.cache.set(hash, id);
    }
    return id;
  }

  async hasStoredKeys(): Promise<boolean> {
    return (await this.dataSource.getRepository(AdminKeyEntity).count()) > 0;
  }

  /**
   * Creates an admin key and returns it in full; this is the only time it exists outside the caller. An
   * EntityManager makes it part of the caller's transaction.
   */
  async create(name: string, manager: EntityManager = this.dataSource.manager): Promise<{ id: string; key: string }> {
    const generated = generateKey('admin');
    const row = await manager.getRepository(AdminKeyEntity).save({
      name,
      keyHash: generated.hash,
      keyPrefix: generated.prefix,
      keyLast4: generated.last4,
      revokedAt: null,
    });
    return { id: row.id, key: generated.key };
  }
}

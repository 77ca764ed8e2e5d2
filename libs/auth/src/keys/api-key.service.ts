import { BeforeApplicationShutdown, Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { DataSource } from 'typeorm';
import { Clock, Environment, GatewayError, Principal } from '@app/common';
import { authConfig } from '../auth.config';
import { ApiKeyEntity } from '../entities/api-key.entity';
import { ProjectEntity } from '../entities/project.entity';
import { generateKey, hashKey, isWellFormedKey, kindForEnvironment, maskKey } from './key-format';
import { TtlCache } from './ttl-cache';

export interface CreateApiKeyInput {
  projectId: string;
  name: string;
  environment: Environment;
  models?: string[] | null;
  expiresAt?: Date | null;
}

/** What a lookup found, cached: the caller's identity plus the facts checked on every request. */
interface CachedKey {
  principal: Principal;
  expiresAt: Date | null;
  revoked: boolean;
}

@Injectable()
export class ApiKeyService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly cache: TtlCache<CachedKey | null>;
  private readonly usedKeyIds = new Set<string>();
  private flushTimer?: NodeJS.Timeout;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    @Inject(authConfig.KEY) private readonly settings: ConfigType<typeof authConfig>,
  ) {
    this.cache = new TtlCache(settings.cacheTtlMs);
  }

  onModuleInit(): void {
    this.flushTimer = setInterval(() => void this.flushLastUsed(), this.settings.lastUsedFlushMs);
    this.flushTimer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.flushTimer);
    await this.flushLastUsed();
  }

  /** The caller behind a presented key, or null when the key is malformed, unknown, revoked or expired. */
  async authenticate(presented: string | undefined): Promise<Principal | null> {
    if (!presented || !isWellFormedKey(presented) || presented.startsWith('sy-admin-')) return null;
    const hash = hashKey(presented);
    let found = this.cache.get(hash);
    if (found === undefined) {
      found = await this.lookup(hash);
      this.cache.set(hash, found);
    }
    if (!found || found.revoked) return null;
    if (found.expiresAt && found.expiresAt <= this.clock.now()) return null;
    this.usedKeyIds.add(found.principal.keyId);
    return found.principal;
  }

  async create(input: CreateApiKeyInput): Promise<{ entity: ApiKeyEntity; key: string }> {
    const project = await this.dataSource.getRepository(ProjectEntity).findOneBy({ id: input.projectId });
    if (!project) throw new GatewayError('not_found', `No project with id ${input.projectId}.`, { param: 'project_id' });
    const generated = generateKey(kindForEnvironment(input.environment));
    const entity = await this.dataSource.getRepository(ApiKeyEntity).save({
      projectId: input.projectId,
      name: input.name,
      environment: input.environment,
      keyHash: generated.hash,
      keyPrefix: generated.prefix,
      keyLast4: generated.last4,
      models: input.models ?? null,
      expiresAt: input.expiresAt ?? null,
      revokedAt: null,
      lastUsedAt: null,
    });
    return { entity, key: generated.key };
  }

  list(projectId?: string): Promise<ApiKeyEntity[]> {
    return this.dataSource.getRepository(ApiKeyEntity).find({
      where: projectId ? { projectId } : {},
      order: { createdAt: 'ASC' },
    });
  }

  /** Revokes a key; this instance stops accepting it at once, others within the cache TTL. */
  async revoke(id: string): Promise<ApiKeyEntity> {
    const repository = this.dataSource.getRepository(ApiKeyEntity);
    const key = await repository.findOneBy({ id });
    if (!key) throw new GatewayError('not_found', `No key with id ${id}.`);
    if (!key.revokedAt) {
      key.revokedAt = this.clock.now();
      await repository.update({ id }, { revokedAt: key.revokedAt });
    }
    this.cache.delete(key.keyHash);
    return key;
  }

  private async lookup(hash: string): Promise<CachedKey | null> {
    const rows: Array<ApiKeyEntity & { teamId: string }> = await this.dataSource
      .getRepository(ApiKeyEntity)
      .createQueryBuilder('k')
      .innerJoin(ProjectEntity, 'p', 'p.id = k.project_id')
      .select(['k.id AS id', 'k.name AS name', 'k.environment AS environment', 'k.models AS models'])
      .addSelect(['k.key_prefix AS "keyPrefix"', 'k.key_last4 AS "keyLast4"', 'k.expires_at AS "expiresAt"'])
      .addSelect(['k.revoked_at AS "revokedAt"', 'k.project_id AS "projectId"', 'p.team_id AS "teamId"'])
      .where('k.key_hash = :hash', { hash })
      .getRawMany();
    const row = rows[0];
    if (!row) return null;
    return {
      revoked: row.revokedAt !== null,
      expiresAt: row.expiresAt,
      principal: {
        keyId: row.id,
        maskedKey: maskKey(row.keyPrefix, row.keyLast4),
        keyName: row.name,
        projectId: row.projectId,
        teamId: row.teamId,
        environment: row.environment,
        allowedModels: row.models,
      },
    };
  }

  /** `last_used_at` is written in one batched UPDATE per interval, never once per request. */
  private async flushLastUsed(): Promise<void> {
    if (this.usedKeyIds.size === 0 || !this.dataSource.isInitialized) return;
    const ids = [...this.usedKeyIds];
    this.usedKeyIds.clear();
    await this.dataSource
      .query('UPDATE api_keys SET last_used_at = $2 WHERE id = ANY($1::uuid[])', [ids, this.clock.now()])
      .catch(() => ids.forEach((id) => this.usedKeyIds.add(id)));
  }
}

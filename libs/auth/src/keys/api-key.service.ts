import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { DataSource, EntityManager, In, IsNull, Not } from 'typeorm';
import { Clock, Environment, GatewayError, Principal } from '@app/common';
import { DatabaseAvailability, DatabaseUnavailableError } from '@app/persistence';
import { authConfig } from '../auth.config';
import { AuthTransaction, autoCommit } from '../auth-transaction';
import { ApiKeyEntity } from '../entities/api-key.entity';
import { ProjectEntity } from '../entities/project.entity';
import { IpAllowList } from './ip-allow-list';
import { generateKey, hashKey, isWellFormedKey, kindForEnvironment, maskKey } from './key-format';
import { Suspension, suspendedKeyError, suspensionOf } from './suspension';
import { TtlCache } from './ttl-cache';

export interface CreateApiKeyInput {
  projectId: string;
  name: string;
  environment: Environment;
  models?: string[] | null;
  tiers?: string[] | null;
  allowedIps?: string[] | null;
  expiresAt?: Date | null;
  /** The person or service the key belongs to. */
  owner?: string | null;
}

/** A key's allow-lists; null lifts a limit. */
export interface KeyAccess {
  models: string[] | null;
  tiers: string[] | null;
  allowedIps: string[] | null;
}

/** What a lookup found, cached: the caller's identity plus the facts checked on every request. */
interface CachedKey {
  principal: Principal;
  expiresAt: Date | null;
  revoked: boolean;
  allowedIps: IpAllowList | null;
  /** The key's own suspension, else its project's; changed in place when this instance suspends or resumes. */
  keySuspension: Suspension | null;
  projectSuspension: Suspension | null;
}

/** Suspends a key or lifts it; who and why go into its row (and the caller's audit event). */
export interface SuspensionChange {
  reason: string;
  by: string;
}

@Injectable()
export class ApiKeyService implements OnModuleInit, OnApplicationShutdown {
  private readonly cache: TtlCache<CachedKey | null>;
  private readonly usedKeyIds = new Set<string>();
  private flushTimer?: NodeJS.Timeout;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly database: DatabaseAvailability,
    @Inject(authConfig.KEY) private readonly settings: ConfigType<typeof authConfig>,
  ) {
    this.cache = new TtlCache(settings.cacheTtlMs, undefined, database.graceMs);
  }

  onModuleInit(): void {
    this.flushTimer = setInterval(() => void this.flushLastUsed(), this.settings.lastUsedFlushMs);
    this.flushTimer.unref();
  }

  /** After the HTTP server has closed (see BudgetService): keys used during the drain are noted too. */
  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.flushTimer);
    await this.flushLastUsed();
  }

  /**
   * The caller behind a presented key, or null when the key is malformed, unknown, revoked or expired.
   * With `clientIp`, a key with an IP allow-list used from elsewhere is refused with 403. While the database
   * is unreachable, a key it confirmed within the outage grace period is still served; any other key gets
   * the 503.
   */
  async authenticate(presented: string | undefined, clientIp?: string): Promise<Principal | null> {
    if (!presented || !isWellFormedKey(presented) || presented.startsWith('sy-admin-')) return null;
    const hash = hashKey(presented);
    let found = this.cache.get(hash);
    if (found === undefined) found = await this.lookUpOrRecall(hash);
    if (!found || found.revoked) return null;
    if (found.expiresAt && found.expiresAt <= this.clock.now()) return null;
    if (clientIp !== undefined && found.allowedIps && !found.allowedIps.allows(clientIp)) {
      throw new GatewayError(
        'permission_denied',
        `This key may only be used from its allowed networks; this request came from ${clientIp}.`,
      );
    }
    const suspension = found.keySuspension ?? found.projectSuspension;
    if (suspension) throw suspendedKeyError(suspension);
    this.usedKeyIds.add(found.principal.keyId);
    return found.principal;
  }

  /** Mutations take an optional EntityManager, so the caller can make them part of its own transaction. */
  async create(
    input: CreateApiKeyInput,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<{ entity: ApiKeyEntity; key: string }> {
    const project = await manager.getRepository(ProjectEntity).findOneBy({ id: input.projectId });
    if (!project)
      throw new GatewayError('not_found', `No project with id ${input.projectId}.`, { param: 'project_id' });
    const generated = generateKey(kindForEnvironment(input.environment));
    const entity = await manager.getRepository(ApiKeyEntity).save({
      projectId: input.projectId,
      name: input.name,
      owner: input.owner ?? null,
      environment: input.environment,
      keyHash: generated.hash,
      keyPrefix: generated.prefix,
      keyLast4: generated.last4,
      models: input.models ?? null,
      tiers: input.tiers ?? null,
      allowedIps: input.allowedIps ?? null,
      expiresAt: input.expiresAt ?? null,
      revokedAt: null,
      lastUsedAt: null,
      suspendedAt: null,
      suspendedReason: null,
      suspendedBy: null,
      resumedAt: null,
    });
    return { entity, key: generated.key };
  }

  /** Every key, or those of one project; `teamIds` (a team admin's) keeps only keys of those teams' projects. */
  async list(projectId?: string, teamIds?: readonly string[]): Promise<ApiKeyEntity[]> {
    let projectIds: string[] | undefined;
    if (teamIds) {
      const projects = await this.dataSource.getRepository(ProjectEntity).findBy({ teamId: In([...teamIds]) });
      projectIds = projects.map((project) => project.id).filter((id) => projectId === undefined || id === projectId);
    }
    return this.dataSource.getRepository(ApiKeyEntity).find({
      where: projectIds ? { projectId: In(projectIds) } : projectId ? { projectId } : {},
      order: { createdAt: 'ASC' },
    });
  }

  async get(id: string, manager: EntityManager = this.dataSource.manager): Promise<ApiKeyEntity> {
    const key = await manager.getRepository(ApiKeyEntity).findOneBy({ id });
    if (!key) throw new GatewayError('not_found', `No key with id ${id}.`);
    return key;
  }

  /**
   * Revokes a key; this instance stops accepting it once `tx` has committed, others within the cache TTL. (Forgot
   * inside the transaction, a request in between would cache the still-committed row as valid for the TTL.)
   */
  async revoke(id: string, tx: AuthTransaction = autoCommit(this.dataSource.manager)): Promise<ApiKeyEntity> {
    const { manager } = tx;
    const key = await this.get(id, manager);
    if (!key.revokedAt) {
      key.revokedAt = this.clock.now();
      await manager.getRepository(ApiKeyEntity).update({ id }, { revokedAt: key.revokedAt });
    }
    tx.afterCommit(() => this.cache.delete(key.keyHash));
    return key;
  }

  /**
   * Replaces a key with a new one of the same project, name, environment, models and expiry, and revokes
   * it; run it in a transaction, so that a failure leaves the old key working. Only one of two concurrent
   * rotations of a key can revoke it; the other gets a conflict.
   */
  async rotate(
    id: string,
    tx: AuthTransaction = autoCommit(this.dataSource.manager),
  ): Promise<{ previous: ApiKeyEntity; entity: ApiKeyEntity; key: string }> {
    const { manager } = tx;
    const previous = await this.get(id, manager);
    const now = this.clock.now();
    if (previous.expiresAt && previous.expiresAt <= now)
      throw new GatewayError('conflict', `Key ${id} has expired; create a new key instead.`);
    const { affected } = await manager
      .getRepository(ApiKeyEntity)
      .update({ id, revokedAt: IsNull() }, { revokedAt: now });
    if (!affected) throw new GatewayError('conflict', `Key ${id} is revoked; create a new key instead.`);
    previous.revokedAt = now;
    tx.afterCommit(() => this.cache.delete(previous.keyHash));
    const { projectId, name, owner, environment, models, tiers, allowedIps, expiresAt } = previous;
    return {
      previous,
      ...(await this.create({ projectId, name, owner, environment, models, tiers, allowedIps, expiresAt }, manager)),
    };
  }

  /** Replaces a key's allow-lists; this instance applies them once `tx` has committed, others within the cache TTL. */
  async updateAccess(
    id: string,
    access: KeyAccess,
    tx: AuthTransaction = autoCommit(this.dataSource.manager),
  ): Promise<ApiKeyEntity> {
    const key = await this.get(id, tx.manager);
    await tx.manager.getRepository(ApiKeyEntity).update({ id }, access);
    tx.afterCommit(() => this.cache.delete(key.keyHash));
    return Object.assign(key, access);
  }

  /**
   * Suspends the keys among `ids` that are neither suspended nor revoked, nor resumed by an admin at or after
   * `notResumedSince` (an anomaly the admin has already looked at); returns those it suspended. Their
   * requests get 403 `key_suspended`: on this instance at once, also through a database outage (the cached
   * lookup is changed, not forgotten, once `tx` has committed), on others within the cache TTL.
   */
  async suspend(
    ids: readonly string[],
    change: SuspensionChange,
    notResumedSince: Date,
    tx: AuthTransaction = autoCommit(this.dataSource.manager),
  ): Promise<ApiKeyEntity[]> {
    if (ids.length === 0) return [];
    const { manager } = tx;
    const at = this.clock.now();
    const rows: Array<{ id: string }> = await manager.query(
      // In a CTE: a bare UPDATE … RETURNING comes back from TypeORM as [rows, count].
      `WITH suspended AS (
         UPDATE api_keys SET suspended_at = $2, suspended_reason = $3, suspended_by = $4
          WHERE id = ANY($1::uuid[]) AND suspended_at IS NULL AND revoked_at IS NULL
            AND (resumed_at IS NULL OR resumed_at < $5)
         RETURNING id
       )
       SELECT id FROM suspended`,
      [ids, at, change.reason, change.by, notResumedSince],
    );
    const suspended = await manager.getRepository(ApiKeyEntity).findBy({ id: In(rows.map((row) => row.id)) });
    tx.afterCommit(() => {
      for (const key of suspended) {
        const cached = this.cache.getStale(key.keyHash);
        if (cached) cached.keySuspension = suspensionOf('key', key.id, { at, ...change });
      }
    });
    return suspended;
  }

  /**
   * Lifts a key's suspension (its project's is the project's to lift); this instance once `tx` has committed,
   * others within the TTL. Returns the key it resumed, or null when the key was not suspended — also when a
   * concurrent call lifted it first (the conditional UPDATE waits for that call's row and then matches nothing).
   */
  async resume(id: string, tx: AuthTransaction = autoCommit(this.dataSource.manager)): Promise<ApiKeyEntity | null> {
    const key = await this.get(id, tx.manager);
    const lifted = { suspendedAt: null, suspendedReason: null, suspendedBy: null, resumedAt: this.clock.now() };
    const { affected } = await tx.manager
      .getRepository(ApiKeyEntity)
      .update({ id, suspendedAt: Not(IsNull()) }, lifted);
    tx.afterCommit(() => {
      const cached = this.cache.getStale(key.keyHash);
      if (cached) cached.keySuspension = null;
    });
    return affected ? Object.assign(key, lifted) : null;
  }

  /** Applies a project's suspension (or its end) to the cached lookups of its keys, on this instance. */
  applyProjectSuspension(projectId: string, suspension: Suspension | null): void {
    for (const cached of this.cache.values()) {
      if (cached?.principal.projectId === projectId) cached.projectSuspension = suspension;
    }
  }

  /** Forgets every cached lookup, after a change that touches many keys (a project's allow-lists). */
  forgetCachedKeys(): void {
    this.cache.clear();
  }

  /**
   * Asks the database, and caches its answer; when it cannot be reached (or is known to be down), recalls
   * what it last confirmed about the key. An unknown key is never recalled as unknown: the key may have
   * been created since, so it gets the 503, not a 401.
   */
  private async lookUpOrRecall(hash: string): Promise<CachedKey | null> {
    if (this.database.reachable) {
      try {
        const found = await this.database.answerWithin(this.lookup(hash));
        this.cache.set(hash, found);
        return found;
      } catch (error) {
        if (!this.database.noteFailure(error)) throw error;
      }
    }
    const recalled = this.cache.getStale(hash);
    if (recalled) return recalled;
    throw new DatabaseUnavailableError('This key cannot be verified');
  }

  private async lookup(hash: string): Promise<CachedKey | null> {
    const rows: Array<
      ApiKeyEntity & {
        teamId: string;
        projectModels: string[] | null;
        projectTiers: string[] | null;
        projectSuspendedAt: Date | null;
        projectSuspendedReason: string | null;
        projectSuspendedBy: string | null;
      }
    > = await this.dataSource
      .getRepository(ApiKeyEntity)
      .createQueryBuilder('k')
      .innerJoin(ProjectEntity, 'p', 'p.id = k.project_id')
      .select([
        'k.id AS id',
        'k.name AS name',
        'k.owner AS owner',
        'k.environment AS environment',
        'k.models AS models',
        'k.tiers AS tiers',
      ])
      .addSelect(['k.allowed_ips AS "allowedIps"', 'p.models AS "projectModels"', 'p.tiers AS "projectTiers"'])
      .addSelect(['k.key_prefix AS "keyPrefix"', 'k.key_last4 AS "keyLast4"', 'k.expires_at AS "expiresAt"'])
      .addSelect(['k.revoked_at AS "revokedAt"', 'k.project_id AS "projectId"', 'p.team_id AS "teamId"'])
      .addSelect(['k.suspended_at AS "suspendedAt"', 'k.suspended_reason AS "suspendedReason"'])
      .addSelect(['k.suspended_by AS "suspendedBy"', 'p.suspended_at AS "projectSuspendedAt"'])
      .addSelect(['p.suspended_reason AS "projectSuspendedReason"', 'p.suspended_by AS "projectSuspendedBy"'])
      .where('k.key_hash = :hash', { hash })
      .getRawMany();
    const row = rows[0];
    if (!row) return null;
    return {
      revoked: row.revokedAt !== null,
      expiresAt: row.expiresAt,
      allowedIps: row.allowedIps ? new IpAllowList(row.allowedIps) : null,
      keySuspension: suspensionOf('key', row.id, {
        at: row.suspendedAt,
        reason: row.suspendedReason,
        by: row.suspendedBy,
      }),
      projectSuspension: suspensionOf('project', row.projectId, {
        at: row.projectSuspendedAt,
        reason: row.projectSuspendedReason,
        by: row.projectSuspendedBy,
      }),
      principal: {
        keyId: row.id,
        maskedKey: maskKey(row.keyPrefix, row.keyLast4),
        keyName: row.name,
        owner: row.owner,
        projectId: row.projectId,
        teamId: row.teamId,
        environment: row.environment,
        allowedModels: row.models,
        allowedTiers: row.tiers,
        projectAllowedModels: row.projectModels,
        projectAllowedTiers: row.projectTiers,
      },
    };
  }

  /** `last_used_at` is written in one batched UPDATE per interval, never once per request. */
  private async flushLastUsed(): Promise<void> {
    if (this.usedKeyIds.size === 0 || !this.dataSource.isInitialized || !this.database.reachable) return;
    const ids = [...this.usedKeyIds];
    this.usedKeyIds.clear();
    await this.dataSource
      .query('UPDATE api_keys SET last_used_at = $2 WHERE id = ANY($1::uuid[])', [ids, this.clock.now()])
      .catch(() => ids.forEach((id) => this.usedKeyIds.add(id)));
  }
}

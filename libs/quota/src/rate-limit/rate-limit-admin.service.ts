import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { DataSource, EntityManager } from 'typeorm';
import type { QuotaLevel } from '../levels';
import { QuotaPolicyService } from '../policy/quota-policy.service';
import { quotaConfig } from '../quota.config';

/**
 * A limit as the admin API states it: a number, `null` for no limit, or absent (`undefined`) for the
 * configured default.
 */
export type RateLimitOverride = number | null | undefined;

/** The largest limit `rate_limits.rpm`/`tpm` hold (Postgres `integer`): admin input past it is refused. */
export const MAX_RATE_LIMIT = 2_147_483_647;

/** Effective limits per minute; null means no limit. */
export interface EffectiveRateLimits {
  rpm: number | null;
  tpm: number | null;
}

/** Rate-limit overrides per team, project or key. Stored as NULL = the default, 0 = no limit. */
@Injectable()
export class RateLimitAdminService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly policies: QuotaPolicyService,
    @Inject(quotaConfig.KEY) private readonly settings: ConfigType<typeof quotaConfig>,
  ) {}

  async set(
    level: QuotaLevel,
    scopeId: string,
    limits: { rpm?: RateLimitOverride; tpm?: RateLimitOverride },
    manager?: EntityManager,
  ): Promise<EffectiveRateLimits> {
    const stored = (value: RateLimitOverride) => (value === undefined ? null : (value ?? 0));
    await (manager ?? this.dataSource).query(
      `INSERT INTO rate_limits (scope, scope_id, rpm, tpm) VALUES ($1, $2, $3, $4)
       ON CONFLICT (scope, scope_id) DO UPDATE SET rpm = EXCLUDED.rpm, tpm = EXCLUDED.tpm, updated_at = now()`,
      [level, scopeId, stored(limits.rpm), stored(limits.tpm)],
    );
    this.policies.invalidate();
    return this.effective(level, { rpm: stored(limits.rpm), tpm: stored(limits.tpm) });
  }

  /** Pass the caller's transaction manager when inside one. */
  async get(level: QuotaLevel, scopeId: string, manager?: EntityManager): Promise<EffectiveRateLimits> {
    const [row]: Array<{ rpm: number | null; tpm: number | null }> = await (manager ?? this.dataSource).query(
      `SELECT rpm, tpm FROM rate_limits WHERE scope = $1 AND scope_id = $2`,
      [level, scopeId],
    );
    return this.effective(level, row ?? { rpm: null, tpm: null });
  }

  private effective(level: QuotaLevel, stored: { rpm: number | null; tpm: number | null }): EffectiveRateLimits {
    const defaults = this.settings.defaultRateLimits[level];
    const resolve = (value: number | null, fallback: number) => {
      const limit = value ?? fallback;
      return limit === 0 ? null : limit;
    };
    return { rpm: resolve(stored.rpm, defaults.rpm), tpm: resolve(stored.tpm, defaults.tpm) };
  }
}

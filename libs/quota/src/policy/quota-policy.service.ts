import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { DataSource } from 'typeorm';
import { Clock, Principal } from '@app/common';
import { DatabaseAvailability, DatabaseUnavailableError } from '@app/persistence';
import { BudgetPeriod, periodStart } from '../budget/budget-period';
import { QUOTA_LEVELS, QuotaLevel, scopeIdOf } from '../levels';
import { quotaConfig, RateLimitValues } from '../quota.config';
import { QuotaStats } from '../quota-stats';

export interface BudgetPolicy {
  id: string;
  level: QuotaLevel;
  limitMicros: bigint;
  period: BudgetPeriod;
  /** Room left when this policy was read; a hint for lease sizing, never a decision. */
  headroomMicros: bigint;
}

/** What applies to one key's requests: its budgets (narrowest level first) and rate limits per level. */
export interface QuotaPolicies {
  budgets: BudgetPolicy[];
  rateLimits: Record<QuotaLevel, RateLimitValues>;
}

interface PolicyRow {
  scope: QuotaLevel;
  budget_id: string | null;
  limit_micros: string | null;
  period: BudgetPeriod | null;
  period_start: Date | null;
  spent_micros: string | null;
  reserved_micros: string | null;
  rpm: number | null;
  tpm: number | null;
}

/**
 * Budgets and rate-limit overrides for a key, its project and its team, read in one query and cached per
 * key for QUOTA_POLICY_CACHE_MS, so admission does not touch the database per request. Changes made on
 * this instance apply at once; on other instances within the cache time. While the database is
 * unreachable, the policies it last returned for a key serve for the outage grace period.
 */
@Injectable()
export class QuotaPolicyService {
  private readonly cache = new Map<string, { policies: Promise<QuotaPolicies>; expiresAt: number }>();
  /** The last policies the database returned per key, and when: what an outage falls back on. */
  private readonly confirmed = new Map<string, { policies: QuotaPolicies; at: number }>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly stats: QuotaStats,
    private readonly database: DatabaseAvailability,
    @Inject(quotaConfig.KEY) private readonly settings: ConfigType<typeof quotaConfig>,
  ) {}

  for(principal: Principal): Promise<QuotaPolicies> {
    const now = Date.now();
    const cached = this.cache.get(principal.keyId);
    if (cached && cached.expiresAt > now) return cached.policies;
    if (!this.database.reachable) return this.recall(principal.keyId);
    const policies: Promise<QuotaPolicies> = this.database
      .answerWithin(this.load(principal))
      .catch((error: unknown) => {
        // A failed read must not be served from the cache.
        if (this.cache.get(principal.keyId)?.policies === policies) this.cache.delete(principal.keyId);
        if (!this.database.noteFailure(error)) throw error;
        return this.recall(principal.keyId);
      });
    this.cache.set(principal.keyId, { policies, expiresAt: now + this.settings.policyCacheMs });
    return policies;
  }

  /** Drops every cached entry; called after an admin change on this instance. */
  invalidate(): void {
    this.cache.clear();
  }

  private async recall(keyId: string): Promise<QuotaPolicies> {
    const last = this.confirmed.get(keyId);
    if (last && Date.now() - last.at < this.database.graceMs) return last.policies;
    throw new DatabaseUnavailableError("This key's budgets and rate limits cannot be read");
  }

  private async load(principal: Principal): Promise<QuotaPolicies> {
    this.stats.policyLookups++;
    const rows: PolicyRow[] = await this.dataSource.query(
      `SELECT s.scope, b.id AS budget_id, b.limit_micros, b.period, b.period_start, b.spent_micros, b.reserved_micros, r.rpm, r.tpm
         FROM unnest($1::text[], $2::uuid[]) AS s(scope, scope_id)
         LEFT JOIN budgets b ON b.scope = s.scope AND b.scope_id = s.scope_id
         LEFT JOIN rate_limits r ON r.scope = s.scope AND r.scope_id = s.scope_id`,
      [QUOTA_LEVELS, QUOTA_LEVELS.map((level) => scopeIdOf(principal, level))],
    );
    const byLevel = new Map(rows.map((row) => [row.scope, row]));
    const now = this.clock.now();
    const budgets: BudgetPolicy[] = [];
    for (const level of QUOTA_LEVELS) {
      const row = byLevel.get(level);
      if (!row?.budget_id) continue;
      const period = row.period!;
      const current = row.period_start!.getTime() === periodStart(period, now).getTime();
      const limitMicros = BigInt(row.limit_micros!);
      const used = current ? BigInt(row.spent_micros!) + BigInt(row.reserved_micros!) : 0n;
      budgets.push({ id: row.budget_id, level, limitMicros, period, headroomMicros: limitMicros - used });
    }
    const defaults = this.settings.defaultRateLimits;
    const rateLimits = Object.fromEntries(
      QUOTA_LEVELS.map((level) => {
        const row = byLevel.get(level);
        return [level, { rpm: row?.rpm ?? defaults[level].rpm, tpm: row?.tpm ?? defaults[level].tpm }];
      }),
    ) as Record<QuotaLevel, RateLimitValues>;
    const policies = { budgets, rateLimits };
    this.confirmed.set(principal.keyId, { policies, at: Date.now() });
    return policies;
  }
}

import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { AuditTrail } from '@app/audit';
import { GatewayError, isMicroUsdAmount } from '@app/common';
import {
  BUDGET_PERIODS,
  BudgetAdminService,
  MAX_RATE_LIMIT,
  QuotaStats,
  RateLimitAdminService,
  usdToMicros,
} from '@app/quota';
import { ModelCatalogService } from '@app/routing';
import { AdminActor } from '../shared/admin-actor';
import { parseAdminInput } from '../shared/admin-input';
import { balanceView, unpricedModelsWarnings } from './balance.view';
import { QuotaScope, QuotaScopeService } from './quota-scope.service';

/** Balances are shown as JSON numbers, exact to the micro-USD only below 2^53 micro-USD. */
const MAX_BUDGET_USD = Math.floor(Number.MAX_SAFE_INTEGER / 1e6);

export const budgetBody = z.strictObject({
  limit_usd: z
    .number()
    .max(MAX_BUDGET_USD, `must be at most ${MAX_BUDGET_USD} USD`)
    .refine(isMicroUsdAmount, 'must be a non-negative USD amount with at most 6 decimals'),
  period: z.enum(BUDGET_PERIODS),
});

/** A number sets the limit, null lifts it, absent means the configured default. */
const perMinute = z
  .number()
  .int()
  .positive()
  .max(MAX_RATE_LIMIT, `must be at most ${MAX_RATE_LIMIT} (the largest limit stored)`)
  .nullable()
  .optional();
export const rateLimitsBody = z.strictObject({ rpm: perMinute, tpm: perMinute });

/**
 * Budgets, balances and rate limits of teams, projects and keys. A scope is named by its path segment and
 * id (`teams`, `projects`, `keys`); changes resolve it inside their transaction.
 */
@Injectable()
export class QuotaAdminService {
  constructor(
    private readonly scopes: QuotaScopeService,
    private readonly budgets: BudgetAdminService,
    private readonly rateLimits: RateLimitAdminService,
    private readonly trail: AuditTrail,
    private readonly stats: QuotaStats,
    private readonly catalog: ModelCatalogService,
  ) {}

  async setBudget(actor: AdminActor, segment: string, rawId: string, body: unknown) {
    const input = parseAdminInput(budgetBody, body);
    const budget = await this.trail.transact(actor, async (tx) => {
      const scope = await this.scopes.resolve(actor, segment, rawId, tx.manager);
      const before = await this.budgets.balance(scope.level, scope.id, tx.manager);
      const after = balanceView(
        await this.budgets.set(scope.level, scope.id, usdToMicros(input.limit_usd), input.period, tx.manager),
      );
      await tx.record({
        action: 'budget.set',
        target: { type: scope.level, id: scope.id },
        before: before && balanceView(before),
        after,
      });
      return after;
    });
    return { ...budget, warnings: unpricedModelsWarnings(this.catalog.unpricedModels()) };
  }

  async removeBudget(actor: AdminActor, segment: string, rawId: string): Promise<void> {
    await this.trail.transact(actor, async (tx) => {
      const scope = await this.scopes.resolve(actor, segment, rawId, tx.manager);
      const before = await this.budgets.balance(scope.level, scope.id, tx.manager);
      if (!before || !(await this.budgets.remove(scope.level, scope.id, tx.manager))) throw noBudget(scope);
      await tx.record({
        action: 'budget.remove',
        target: { type: scope.level, id: scope.id },
        before: balanceView(before),
      });
    });
  }

  async balance(actor: AdminActor, segment: string, rawId: string) {
    const scope = await this.scopes.resolve(actor, segment, rawId);
    const balance = await this.budgets.balance(scope.level, scope.id);
    if (!balance) throw noBudget(scope);
    return balanceView(balance);
  }

  async setRateLimits(actor: AdminActor, segment: string, rawId: string, body: unknown) {
    const input = parseAdminInput(rateLimitsBody, body);
    return this.trail.transact(actor, async (tx) => {
      const scope = await this.scopes.resolve(actor, segment, rawId, tx.manager);
      const before = await this.rateLimits.get(scope.level, scope.id, tx.manager);
      const after = await this.rateLimits.set(scope.level, scope.id, input, tx.manager);
      await tx.record({ action: 'rate_limits.set', target: { type: scope.level, id: scope.id }, before, after });
      return after;
    });
  }

  async getRateLimits(actor: AdminActor, segment: string, rawId: string) {
    const scope = await this.scopes.resolve(actor, segment, rawId);
    return this.rateLimits.get(scope.level, scope.id);
  }

  /** This instance's quota counters: how many budget checks needed the database, store errors, … */
  quotaStats() {
    return this.stats.snapshot();
  }
}

function noBudget(scope: QuotaScope): GatewayError {
  return new GatewayError('not_found', `The ${scope.level} ${scope.id} has no budget; PUT a budget to set one.`);
}

import { Body, Controller, Delete, Get, HttpCode, Param, Put } from '@nestjs/common';
import { z } from 'zod';
import { AuditTrail } from '@app/audit';
import { AdminOnly } from '@app/auth';
import { GatewayError, isMicroUsdAmount } from '@app/common';
import { BUDGET_PERIODS, BudgetAdminService, BudgetBalance, microsToUsd, QuotaStats, RateLimitAdminService, usdToMicros } from '@app/quota';
import { AdminActor } from './admin-actor';
import { parseAdminBody } from './admin-body';
import { QuotaScope, QuotaScopes } from './quota-scopes';

const budgetBody = z.strictObject({
  limit_usd: z.number().refine(isMicroUsdAmount, 'must be a non-negative USD amount with at most 6 decimals'),
  period: z.enum(BUDGET_PERIODS),
});

/** A number sets the limit, null lifts it, absent means the configured default. */
const perMinute = z.number().int().positive().nullable().optional();
const rateLimitsBody = z.strictObject({ rpm: perMinute, tpm: perMinute });

/** Budgets, balances and rate limits of teams, projects and keys: `/admin/{teams|projects|keys}/{id}/…`. */
@AdminOnly()
@Controller('admin')
export class QuotaController {
  constructor(
    private readonly scopes: QuotaScopes,
    private readonly budgets: BudgetAdminService,
    private readonly rateLimits: RateLimitAdminService,
    private readonly trail: AuditTrail,
    private readonly stats: QuotaStats,
  ) {}

  @Put(':scope/:id/budget')
  async setBudget(@Param('scope') segment: string, @Param('id') rawId: string, @Body() body: unknown, @AdminActor() actor: string) {
    const input = parseAdminBody(budgetBody, body);
    return this.trail.transact(actor, async (tx) => {
      const scope = await this.scopes.resolve(segment, rawId, tx.manager);
      const before = await this.budgets.balance(scope.level, scope.id, tx.manager);
      const after = balanceView(await this.budgets.set(scope.level, scope.id, usdToMicros(input.limit_usd), input.period, tx.manager));
      await tx.record({ action: 'budget.set', target: { type: scope.level, id: scope.id }, before: before && balanceView(before), after });
      return after;
    });
  }

  @Delete(':scope/:id/budget')
  @HttpCode(204)
  async removeBudget(@Param('scope') segment: string, @Param('id') rawId: string, @AdminActor() actor: string): Promise<void> {
    await this.trail.transact(actor, async (tx) => {
      const scope = await this.scopes.resolve(segment, rawId, tx.manager);
      const before = await this.budgets.balance(scope.level, scope.id, tx.manager);
      if (!before || !(await this.budgets.remove(scope.level, scope.id, tx.manager))) throw noBudget(scope);
      await tx.record({ action: 'budget.remove', target: { type: scope.level, id: scope.id }, before: balanceView(before) });
    });
  }

  @Get(':scope/:id/balance')
  async balance(@Param('scope') segment: string, @Param('id') rawId: string) {
    const scope = await this.scopes.resolve(segment, rawId);
    const balance = await this.budgets.balance(scope.level, scope.id);
    if (!balance) throw noBudget(scope);
    return balanceView(balance);
  }

  @Put(':scope/:id/rate-limits')
  async setRateLimits(@Param('scope') segment: string, @Param('id') rawId: string, @Body() body: unknown, @AdminActor() actor: string) {
    const input = parseAdminBody(rateLimitsBody, body);
    return this.trail.transact(actor, async (tx) => {
      const scope = await this.scopes.resolve(segment, rawId, tx.manager);
      const before = await this.rateLimits.get(scope.level, scope.id, tx.manager);
      const after = await this.rateLimits.set(scope.level, scope.id, input, tx.manager);
      await tx.record({ action: 'rate_limits.set', target: { type: scope.level, id: scope.id }, before, after });
      return after;
    });
  }

  @Get(':scope/:id/rate-limits')
  async getRateLimits(@Param('scope') segment: string, @Param('id') rawId: string) {
    const scope = await this.scopes.resolve(segment, rawId);
    return this.rateLimits.get(scope.level, scope.id);
  }

  /** This instance's quota counters: how many budget checks needed the database, store errors, … */
  @Get('quota/stats')
  quotaStats() {
    return this.stats.snapshot();
  }
}

function balanceView(balance: BudgetBalance) {
  return {
    limit_usd: microsToUsd(balance.limitMicros),
    spent_usd: microsToUsd(balance.spentMicros),
    reserved_usd: microsToUsd(balance.reservedMicros),
    remaining_usd: microsToUsd(balance.remainingMicros),
    period: balance.period,
    resets_at: balance.resetsAt?.toISOString() ?? null,
  };
}

function noBudget(scope: QuotaScope): GatewayError {
  return new GatewayError('not_found', `The ${scope.level} ${scope.id} has no budget; PUT a budget to set one.`);
}

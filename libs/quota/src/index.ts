export { QuotaModule } from './quota.module';
export { quotaConfig, QuotaSettings } from './quota.config';
export { QuotaStats } from './quota-stats';
export { QuotaLevel } from './levels';
export { BudgetService } from './budget/budget.service';
export { BudgetReservation } from './budget/budget-reservation';
export { BudgetAdminService, BudgetBalance } from './budget/budget-admin.service';
export { BUDGET_PERIODS, BudgetPeriod } from './budget/budget-period';
export { SettledBudget, SettledBudgetsListener } from './budget/settled-budget';
export { CostStatus, SpendOutcome } from './budget/ledger-entry';
export {
  RateLimitAdminService,
  EffectiveRateLimits,
  RateLimitOverride,
  MAX_RATE_LIMIT,
} from './rate-limit/rate-limit-admin.service';
export { usdToMicros, microsToUsd } from './money/micros';
export { priceAt, usageCostMicros, maxCostMicros, imageCostMicros } from './money/pricing';
export {
  measurePrompt,
  measurePromptInTurns,
  promptTokenBound,
  requestedOutputTokens,
  choices,
  PromptSize,
} from './estimate/prompt-size';

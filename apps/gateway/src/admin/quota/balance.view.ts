import { type BudgetBalance, microsToUsd } from '@app/quota';

/** A budget and where it stands, in USD. */
export function balanceView(balance: BudgetBalance) {
  return {
    limit_usd: microsToUsd(balance.limitMicros),
    spent_usd: microsToUsd(balance.spentMicros),
    reserved_usd: microsToUsd(balance.reservedMicros),
    remaining_usd: microsToUsd(balance.remainingMicros),
    period: balance.period,
    resets_at: balance.resetsAt?.toISOString() ?? null,
  };
}

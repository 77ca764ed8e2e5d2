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

/**
 * What a budget cannot do, said when it is set: requests to a model without a price are served with cost null
 * and no budget limits them (the gateway never guesses a price).
 */
export function unpricedModelsWarnings(unpriced: readonly { name: string }[]): string[] {
  if (unpriced.length === 0) return [];
  const names = unpriced.map((model) => model.name).join(', ');
  return [
    `Budgets do not limit models without a price (${names}): their requests are served and recorded with cost null. Add pricing to them in the catalog.`,
  ];
}

import type { Balance } from '../api/types';
import { budgetUsed, formatPercent, formatUsd } from '../format';

const PERIOD_LABELS: Record<Balance['period'], string> = {
  total: 'in total',
  daily: 'today (UTC)',
  weekly: 'this week (UTC)',
  monthly: 'this month (UTC)',
};

/** Spent (and held for requests in flight) against the limit, as a bar that turns amber at 75 % and red at 90 %. */
export function BudgetMeter({ balance }: { balance: Balance }) {
  const used = budgetUsed(balance);
  return (
    <div class="budget-meter">
      <meter min={0} max={1} low={0.75} high={0.9} optimum={0} value={Math.min(used, 1)} />
      <span class="budget-percent">{formatPercent(used)}</span>
      <span class="muted">
        {formatUsd(balance.spent_usd)} of {formatUsd(balance.limit_usd)} {PERIOD_LABELS[balance.period]}
        {balance.reserved_usd > 0 && <> · {formatUsd(balance.reserved_usd)} held</>}
      </span>
    </div>
  );
}

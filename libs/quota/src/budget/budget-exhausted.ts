import { GatewayError } from '@app/common';
import { formatUsd } from '../money/micros';
import type { BudgetPolicy } from '../policy/quota-policy.service';
import { periodEnd } from './budget-period';
import type { BudgetState } from './budget.store';

/**
 * The 402 for a budget with no room: which level, which period, what is used, when it resets. Sent with
 * `x-should-retry: false`, so the official SDKs do not retry it.
 */
export function budgetExhausted(
  policy: BudgetPolicy,
  state: BudgetState,
  periodStart: Date,
  requestMaxMicros: bigint,
): GatewayError {
  // A budget still in an earlier period would have been rolled over: nothing is used in this one yet.
  const current = state.periodStart.getTime() === periodStart.getTime();
  const spent = current ? state.spentMicros : 0n;
  const reserved = current ? state.reservedMicros : 0n;
  const resetsAt = periodEnd(policy.period, periodStart);
  const message =
    `The ${policy.level}'s ${policy.period} budget of ${formatUsd(policy.limitMicros)} has no room for this request ` +
    `(up to ${formatUsd(requestMaxMicros)}): ${formatUsd(spent)} spent, ${formatUsd(reserved)} held for requests in progress. ` +
    (resetsAt ? `It resets at ${resetsAt.toISOString()}.` : 'It does not reset; ask an administrator to raise it.');
  return new GatewayError('insufficient_quota', message, { headers: { 'x-should-retry': 'false' } });
}

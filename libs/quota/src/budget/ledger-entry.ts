import type { TokenUsage } from '@app/common';

/** How a settled cost was arrived at. */
export type CostStatus =
  /** Computed from the provider's usage and the served deployment's price. */
  | 'priced'
  /**
   * Computed as for `priced`, and more than the reservation's bound (an upstream that ignored the output cap,
   * a prompt tokenized above its byte bound): charged in full, flagged here.
   */
  | 'over_reservation'
  /** The served model has no price: cost recorded as null, never guessed. */
  | 'unpriced'
  /** The upstream answered but never reported usage (a stream cut short): charged at the reserved maximum. */
  | 'usage_unknown'
  /**
   * The upstream's usage report could not be right (a count negative, fractional, not a number, missing or
   * absurd; the evidence record keeps it corrected, as `clamped`): charged at the reserved maximum.
   */
  | 'usage_invalid';

/** What a finished request cost, as the caller settles it. */
export interface SpendOutcome {
  costMicros: bigint | null;
  costStatus: CostStatus;
  usage: TokenUsage | null;
  modelServed: string | null;
  deployment: string | null;
}

/** A settled cost to move from this instance's lease to its budget's spent. */
export interface LedgerCharge {
  budgetId: string;
  periodStart: Date;
  amount: bigint;
}

/**
 * One settled request: a row of `ledger_entries`, and its charges named by budget and period (rather than by
 * lease object) with the instance whose leases hold them, so that it can wait in memory or on disk and be
 * replayed by another process. Built once, at settlement, and written as it is.
 */
export interface LedgerEntry extends SpendOutcome {
  /** The reservation's id: unique per admitted request (client request ids need not be). */
  id: string;
  requestId: string;
  teamId: string;
  projectId: string;
  keyId: string;
  admittedAt: Date;
  settledAt: Date;
  /** The instance whose leases held the request (`BudgetLeases.holder`). */
  holder: string;
  charges: readonly LedgerCharge[];
}

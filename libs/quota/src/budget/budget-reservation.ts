import type { Principal } from '@app/common';
import type { BudgetLease } from './budget-lease';
import type { LedgerCharge, LedgerEntry, SpendOutcome } from './ledger-entry';

export interface BudgetHold {
  lease: BudgetLease;
  amount: bigint;
}

/** Who was admitted, when: what a ledger entry is about. */
export interface AdmittedRequest {
  principal: Principal;
  requestId: string;
  admittedAt: Date;
}

/** Where settled requests go: the instance's ledger buffer and its leases. */
export interface LedgerSink {
  /** The instance whose leases hold the reservations (`BudgetLeases.holder`). */
  readonly holder: string;
  record(entry: LedgerEntry): void;
  /** Hands unused headroom of leases near their limit back to the budget. */
  returnChange(leases: readonly BudgetLease[]): Promise<void>;
  now(): Date;
}

/**
 * One admitted request's hold on its budgets. Exactly one of `settle` (it ran: charge what it cost) or
 * `release` (it failed before the upstream answered: charge nothing) takes effect; repeats are no-ops.
 */
export class BudgetReservation {
  private open = true;

  constructor(
    /** Unique per admission: the ledger entry's id, which makes settlement idempotent in Postgres too. */
    readonly id: string,
    readonly maxCostMicros: bigint,
    readonly admitted: AdmittedRequest,
    private readonly holds: readonly BudgetHold[],
    private readonly ledger: LedgerSink,
  ) {}

  /**
   * Charges the request's cost at every budget it holds and queues its ledger entry; returns the charge as
   * settled (see `boundedCharge`), or null when the reservation was already settled or released.
   */
  async settle(outcome: SpendOutcome): Promise<SpendOutcome | null> {
    if (!this.open) return null;
    this.open = false;
    const charged = boundedCharge(outcome, this.maxCostMicros);
    const cost = charged.costMicros ?? 0n;
    // The entry is built once, as the row the ledger writes (or spills to disk).
    const charges = new Array<LedgerCharge>(this.holds.length);
    for (let i = 0; i < this.holds.length; i++) {
      const { lease, amount } = this.holds[i];
      lease.settle(amount, cost);
      charges[i] = { budgetId: lease.policy.id, periodStart: lease.periodStart, amount: cost };
    }
    const { principal, requestId, admittedAt } = this.admitted;
    this.ledger.record({
      costMicros: charged.costMicros,
      costStatus: charged.costStatus,
      usage: charged.usage,
      modelServed: charged.modelServed,
      deployment: charged.deployment,
      id: this.id,
      requestId,
      teamId: principal.teamId,
      projectId: principal.projectId,
      keyId: principal.keyId,
      admittedAt,
      settledAt: this.ledger.now(),
      holder: this.ledger.holder,
      charges,
    });
    await this.returnChange();
    return charged;
  }

  async release(): Promise<void> {
    if (!this.open) return;
    this.open = false;
    for (const hold of this.holds) hold.lease.release(hold.amount);
    await this.returnChange();
  }

  /** Only leases near their limit have change to return; most settlements skip the call altogether. */
  private returnChange(): Promise<void> | undefined {
    for (const hold of this.holds) {
      if (hold.lease.nearLimit) return this.ledger.returnChange(this.holds.map((h) => h.lease));
    }
    return undefined;
  }
}

/**
 * What a settlement may charge. A cost above the reservation's bound is charged in full (the provider bills
 * it) and flagged `over_reservation`. A negative cost would refund the budget; no valid usage prices to one
 * (the usage check makes every count non-negative), and should one arrive all the same it is charged as
 * invalid usage, at the reserved maximum.
 */
function boundedCharge(outcome: SpendOutcome, maxCostMicros: bigint): SpendOutcome {
  const cost = outcome.costMicros;
  if (cost === null) return outcome;
  if (cost < 0n) return { ...outcome, costMicros: maxCostMicros, costStatus: 'usage_invalid', usage: null };
  if (cost > maxCostMicros && outcome.costStatus === 'priced') return { ...outcome, costStatus: 'over_reservation' };
  return outcome;
}

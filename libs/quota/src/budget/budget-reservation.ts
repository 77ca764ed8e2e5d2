import type { Principal } from '@app/common';
import type { BudgetLease } from './budget-lease';
import type { LedgerEntry, SpendOutcome } from './ledger-entry';

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

  /** False when the reservation was already settled or released. */
  async settle(outcome: SpendOutcome): Promise<boolean> {
    if (!this.open) return false;
    this.open = false;
    const cost = outcome.costMicros ?? 0n;
    const charges = new Array<{ lease: BudgetLease; amount: bigint }>(this.holds.length);
    for (let i = 0; i < this.holds.length; i++) {
      const { lease, amount } = this.holds[i];
      lease.settle(amount, cost);
      charges[i] = { lease, amount: cost };
    }
    const { principal, requestId, admittedAt } = this.admitted;
    this.ledger.record({
      costMicros: outcome.costMicros,
      costStatus: outcome.costStatus,
      usage: outcome.usage,
      modelServed: outcome.modelServed,
      deployment: outcome.deployment,
      id: this.id,
      requestId,
      teamId: principal.teamId,
      projectId: principal.projectId,
      keyId: principal.keyId,
      admittedAt,
      settledAt: this.ledger.now(),
      charges,
    });
    await this.returnChange();
    return true;
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

import type { BudgetPolicy } from '../policy/quota-policy.service';

/**
 * This instance's share of one budget for one period: headroom taken from Postgres in advance (a row in
 * `budget_leases`, counted in the budget's `reserved_micros`), from which requests are admitted without
 * a database round trip. Pure bookkeeping; `BudgetLeases` does the I/O, one statement at a time per lease.
 */
export class BudgetLease {
  /** Headroom this instance holds in Postgres for the budget and period. */
  granted = 0n;
  /** Maximum costs of admitted requests still running. */
  held = 0n;
  /** Actual costs of finished requests not yet written to the ledger. */
  unflushed = 0n;
  /** Last room-left figure Postgres reported; sizes the next lease. */
  headroomHint: bigint;
  /** While headroom is being handed back, nothing may be taken locally. */
  givingBack = false;
  /**
   * Set when the last top-up was one request's exact shortfall: the budget is nearly spent, so unused
   * headroom goes straight back at settlement instead of waiting here for this instance's next request.
   */
  nearLimit = false;
  lastUsedAt = 0;
  private confirmedAt = Number.NEGATIVE_INFINITY;
  private statements: Promise<unknown> = Promise.resolve();
  private pendingStatements = 0;

  constructor(
    public policy: BudgetPolicy,
    readonly periodStart: Date,
  ) {
    this.headroomHint = policy.headroomMicros;
  }

  get available(): bigint {
    return this.granted - this.held - this.unflushed;
  }

  get idle(): boolean {
    return this.held === 0n && this.unflushed === 0n;
  }

  /** True while a statement on this lease's row is queued or running. */
  get busy(): boolean {
    return this.pendingStatements > 0;
  }

  /** Trusted only while recently confirmed by Postgres: an unrenewed lease may be released by another instance. */
  isFresh(now: number, maxAgeMs: number): boolean {
    return now - this.confirmedAt < maxAgeMs;
  }

  /** Takes `amount` from local headroom if there is enough: admission without a database round trip. */
  tryHold(amount: bigint, now: number, maxAgeMs: number): boolean {
    if (this.givingBack || !this.isFresh(now, maxAgeMs) || this.available < amount) return false;
    this.held += amount;
    this.lastUsedAt = now;
    return true;
  }

  release(heldAmount: bigint): void {
    this.held -= heldAmount;
  }

  /** A request finished: its hold becomes its actual cost, owed to the ledger. */
  settle(heldAmount: bigint, cost: bigint): void {
    this.held -= heldAmount;
    this.unflushed += cost;
  }

  /** Costs written to the ledger: Postgres took them out of the lease (up to what it held). */
  flushed(cost: bigint): void {
    this.unflushed -= cost;
    this.granted -= cost < this.granted ? cost : this.granted;
  }

  /** Postgres reported the lease row's amount. */
  confirm(granted: bigint, now: number): void {
    this.granted = granted;
    this.confirmedAt = now;
  }

  /** Runs statements on this lease's row one at a time, so the local figures always match one row state. */
  exclusive<T>(statement: () => Promise<T>): Promise<T> {
    this.pendingStatements++;
    const run = this.statements.then(statement).finally(() => this.pendingStatements--);
    this.statements = run.catch(() => undefined);
    return run;
  }
}

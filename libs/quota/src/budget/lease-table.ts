import type { BudgetLease } from './budget-lease';

/**
 * This instance's leases by budget id, then period start (epoch ms). Found on every admission (one lookup per
 * budget level) and for every ledger charge at a flush, without building a `budget/period` key string for
 * each lookup.
 */
export class LeaseTable implements Iterable<BudgetLease> {
  private readonly byBudget = new Map<string, Map<number, BudgetLease>>();

  get(budgetId: string, periodStartMs: number): BudgetLease | undefined {
    return this.byBudget.get(budgetId)?.get(periodStartMs);
  }

  set(budgetId: string, lease: BudgetLease): void {
    let periods = this.byBudget.get(budgetId);
    if (!periods) this.byBudget.set(budgetId, (periods = new Map<number, BudgetLease>()));
    periods.set(lease.periodStart.getTime(), lease);
  }

  delete(budgetId: string, lease: BudgetLease): void {
    const periods = this.byBudget.get(budgetId);
    if (!periods) return;
    periods.delete(lease.periodStart.getTime());
    if (periods.size === 0) this.byBudget.delete(budgetId);
  }

  /** Every lease; deleting the current one while iterating is allowed, as with a Map. */
  *[Symbol.iterator](): Iterator<BudgetLease> {
    for (const periods of this.byBudget.values()) yield* periods.values();
  }
}

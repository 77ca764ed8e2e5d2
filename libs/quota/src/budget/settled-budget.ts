import type { QuotaLevel } from '../levels';
import type { BudgetPeriod } from './budget-period';

/**
 * A budget as a ledger flush left it: what threshold alerts are decided from. Reported after each flush that
 * moved settled costs into `spent_micros`, by whichever instance wrote them, with the figures Postgres holds
 * (every instance's spend, not only this one's).
 */
export interface SettledBudget {
  id: string;
  level: QuotaLevel;
  /** The team, project or key the budget belongs to. */
  scopeId: string;
  limitMicros: bigint;
  spentMicros: bigint;
  period: BudgetPeriod;
  periodStart: Date;
}

/** Called after each ledger flush with the budgets it charged; must not throw (errors are logged). */
export type SettledBudgetsListener = (budgets: readonly SettledBudget[]) => void | Promise<void>;

/**
 * Budget periods, calendar-aligned in UTC: a day starts at 00:00Z, a week on Monday 00:00Z, a month on
 * the 1st at 00:00Z. A `total` budget never resets: its single period starts at the epoch.
 */
export const BUDGET_PERIODS = ['total', 'daily', 'weekly', 'monthly'] as const;
export type BudgetPeriod = (typeof BUDGET_PERIODS)[number];

const DAY_MS = 86_400_000;

export function periodStart(period: BudgetPeriod, at: Date): Date {
  const midnight = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
  switch (period) {
    case 'total':
      return new Date(0);
    case 'daily':
      return new Date(midnight);
    case 'weekly':
      // getUTCDay: Sunday = 0; days since Monday = (day + 6) % 7.
      return new Date(midnight - ((at.getUTCDay() + 6) % 7) * DAY_MS);
    case 'monthly':
      return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
  }
}

/** When the period that began at `start` ends (the next one begins); null for `total`. */
export function periodEnd(period: BudgetPeriod, start: Date): Date | null {
  switch (period) {
    case 'total':
      return null;
    case 'daily':
      return new Date(start.getTime() + DAY_MS);
    case 'weekly':
      return new Date(start.getTime() + 7 * DAY_MS);
    case 'monthly':
      return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
  }
}

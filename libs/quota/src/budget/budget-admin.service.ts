import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '@app/common';
import type { QuotaLevel } from '../levels';
import { QuotaPolicyService } from '../policy/quota-policy.service';
import { BudgetPeriod, periodEnd, periodStart } from './budget-period';

export interface BudgetBalance {
  limitMicros: bigint;
  spentMicros: bigint;
  /** Held by instances for requests in progress and as leased headroom. */
  reservedMicros: bigint;
  remainingMicros: bigint;
  period: BudgetPeriod;
  /** Null for a `total` budget. */
  resetsAt: Date | null;
}

interface BudgetRow {
  id: string;
  limit_micros: string;
  period: BudgetPeriod;
  period_start: Date;
  spent_micros: string;
  reserved_micros: string;
}

const LEDGER_COLUMN: Record<QuotaLevel, string> = { team: 'team_id', project: 'project_id', key: 'key_id' };

/**
 * Sets, removes and reports budgets. Mutations take an optional EntityManager so a caller can run them in
 * its own transaction (the admin audit trail is written in the same one). Other instances see a change
 * within QUOTA_POLICY_CACHE_MS.
 */
@Injectable()
export class BudgetAdminService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly policies: QuotaPolicyService,
  ) {}

  /**
   * Sets a budget. A new budget, or one whose period changes, starts with what the ledger already holds
   * for the current period — a monthly budget set on the 15th counts the spend since the 1st.
   */
  async set(
    level: QuotaLevel,
    scopeId: string,
    limitMicros: bigint,
    period: BudgetPeriod,
    manager?: EntityManager,
  ): Promise<BudgetBalance> {
    const start = periodStart(period, this.clock.now());
    const run = async (m: EntityManager) => {
      const [row]: BudgetRow[] = await m.query(
        `INSERT INTO budgets (scope, scope_id, limit_micros, period, period_start, spent_micros)
         VALUES ($1, $2, $3, $4, $5,
                 (SELECT COALESCE(SUM(cost_micros), 0) FROM ledger_entries WHERE ${LEDGER_COLUMN[level]} = $2 AND admitted_at >= $5))
         ON CONFLICT (scope, scope_id) DO UPDATE SET
           limit_micros = EXCLUDED.limit_micros,
           period = EXCLUDED.period,
           period_start = CASE WHEN budgets.period = EXCLUDED.period THEN budgets.period_start ELSE EXCLUDED.period_start END,
           spent_micros = CASE WHEN budgets.period = EXCLUDED.period THEN budgets.spent_micros ELSE EXCLUDED.spent_micros END,
           reserved_micros = CASE WHEN budgets.period = EXCLUDED.period THEN budgets.reserved_micros ELSE 0 END,
           updated_at = now()
         RETURNING id, limit_micros, period, period_start, spent_micros, reserved_micros`,
        [level, scopeId, limitMicros.toString(), period, start],
      );
      // Leases taken under another period no longer count against this budget.
      await m.query(`DELETE FROM budget_leases WHERE budget_id = $1 AND period_start <> $2`, [
        row.id,
        row.period_start,
      ]);
      return row;
    };
    const row = manager ? await run(manager) : await this.dataSource.transaction(run);
    this.policies.invalidate();
    return this.balanceOf(row);
  }

  /** False when the scope had no budget. */
  async remove(level: QuotaLevel, scopeId: string, manager?: EntityManager): Promise<boolean> {
    const rows: unknown[] = await (manager ?? this.dataSource).query(
      `WITH removed AS (DELETE FROM budgets WHERE scope = $1 AND scope_id = $2 RETURNING id) SELECT id FROM removed`,
      [level, scopeId],
    );
    this.policies.invalidate();
    return rows.length > 0;
  }

  /**
   * The largest share of its limit any budget has spent in its current period (periods in UTC, as
   * budget-period.ts): one number for an alert on "a budget above 80 %" without a label per team or key.
   * Reserved amounts are left out: leases reserve headroom ahead of spending it.
   */
  async fullestShare(): Promise<number> {
    const [row]: Array<{ fullest: number | null }> = await this.dataSource.query(
      `SELECT max(spent_micros::float8 / limit_micros) AS fullest FROM budgets
       WHERE limit_micros > 0 AND period_start >= CASE period
         WHEN 'daily' THEN date_trunc('day', now(), 'UTC')
         WHEN 'weekly' THEN date_trunc('week', now(), 'UTC')
         WHEN 'monthly' THEN date_trunc('month', now(), 'UTC')
         ELSE 'epoch'::timestamptz END`,
    );
    return row?.fullest ?? 0;
  }

  /** Null when the scope has no budget. Pass the caller's transaction manager when inside one. */
  async balance(level: QuotaLevel, scopeId: string, manager?: EntityManager): Promise<BudgetBalance | null> {
    const [row]: BudgetRow[] = await (manager ?? this.dataSource).query(
      `SELECT id, limit_micros, period, period_start, spent_micros, reserved_micros FROM budgets WHERE scope = $1 AND scope_id = $2`,
      [level, scopeId],
    );
    return row ? this.balanceOf(row) : null;
  }

  private balanceOf(row: BudgetRow): BudgetBalance {
    const start = periodStart(row.period, this.clock.now());
    // A budget not used since its period ended is rolled over lazily, by the next request.
    const current = row.period_start.getTime() === start.getTime();
    const limitMicros = BigInt(row.limit_micros);
    const spentMicros = current ? BigInt(row.spent_micros) : 0n;
    const reservedMicros = current ? BigInt(row.reserved_micros) : 0n;
    const left = limitMicros - spentMicros - reservedMicros;
    return {
      limitMicros,
      spentMicros,
      reservedMicros,
      remainingMicros: left > 0n ? left : 0n,
      period: row.period,
      resetsAt: periodEnd(row.period, start),
    };
  }
}

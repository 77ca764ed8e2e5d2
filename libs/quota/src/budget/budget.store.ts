import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { QuotaStats } from '../quota-stats';
import type { LedgerCharge, LedgerEntry } from './ledger-entry';
import type { SettledBudget } from './settled-budget';

/** The ledger's columns with their Postgres types: the INSERT and its JSON recordset follow this list. */
const LEDGER_COLUMNS = [
  ['id', 'text'],
  ['request_id', 'text'],
  ['team_id', 'uuid'],
  ['project_id', 'uuid'],
  ['key_id', 'uuid'],
  ['model_served', 'text'],
  ['deployment', 'text'],
  ['prompt_tokens', 'bigint'],
  ['cached_prompt_tokens', 'bigint'],
  ['completion_tokens', 'bigint'],
  ['cost_micros', 'bigint'],
  ['cost_status', 'text'],
  ['admitted_at', 'timestamptz'],
  ['settled_at', 'timestamptz'],
] as const;
const LEDGER_COLUMN_LIST = LEDGER_COLUMNS.map(([name]) => name).join(', ');
const LEDGER_RECORDSET_DEFINITION = LEDGER_COLUMNS.map(([name, type]) => `${name} ${type}`).join(', ');

/** A ledger row waiting to be written: the settled entry as the reservation built it. */
export type LedgerRow = LedgerEntry;

/** A budget row as a failed lease statement saw it: enough to explain a 402. */
export interface BudgetState {
  limitMicros: bigint;
  spentMicros: bigint;
  reservedMicros: bigint;
  periodStart: Date;
}

export type LeaseResult =
  | { granted: true; leaseMicros: bigint; headroomMicros: bigint }
  | { granted: false; state: BudgetState }
  /** The budget was deleted since its policy was read. */
  | { granted: false; state: null };

interface LeaseRow {
  limit_micros: string;
  spent_micros: string;
  reserved_micros: string;
  period_start: Date;
  headroom: string | null;
  lease_micros: string | null;
}

/**
 * The budget statements, each ending in a SELECT: TypeORM returns `[rows, count]` for a bare UPDATE or
 * DELETE. Each changes `budgets` and `budget_leases` together in one atomic statement (or
 * one transaction), so `reserved_micros` always equals the sum of the leases and `spent_micros` the sum of
 * the ledger's costs for the period. Postgres stays the only copy of money. Every statement locks the
 * budget rows before the lease rows (in id order when several), so no two of them can deadlock.
 */
@Injectable()
export class BudgetStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly stats: QuotaStats,
  ) {}

  /**
   * Adds `amount` to `holder`'s lease if the budget has room for it in the period starting at
   * `periodStart`; a budget still in an earlier period is rolled over first (spent and leases reset).
   */
  async lease(
    budgetId: string,
    periodStart: Date,
    amount: bigint,
    holder: string,
    expiresAt: Date,
  ): Promise<LeaseResult> {
    this.stats.leaseQueries++;
    const rows: LeaseRow[] = await this.dataSource.query(
      `WITH granted AS (
         UPDATE budgets SET
           spent_micros = CASE WHEN period_start = $2 THEN spent_micros ELSE 0 END,
           reserved_micros = CASE WHEN period_start = $2 THEN reserved_micros ELSE 0 END + $3,
           period_start = $2
         WHERE id = $1 AND period_start <= $2
           AND CASE WHEN period_start = $2 THEN spent_micros + reserved_micros ELSE 0 END + $3 <= limit_micros
         RETURNING id, limit_micros - spent_micros - reserved_micros AS headroom
       ), earlier_periods AS (
         DELETE FROM budget_leases l USING granted g WHERE l.budget_id = g.id AND l.period_start < $2
       ), lease AS (
         INSERT INTO budget_leases (budget_id, holder, period_start, amount_micros, expires_at)
         SELECT id, $4, $2, $3, $5 FROM granted
         ON CONFLICT (budget_id, holder, period_start)
         DO UPDATE SET amount_micros = budget_leases.amount_micros + EXCLUDED.amount_micros, expires_at = EXCLUDED.expires_at
         RETURNING amount_micros
       )
       SELECT b.limit_micros, b.spent_micros, b.reserved_micros, b.period_start, g.headroom, l.amount_micros AS lease_micros
         FROM budgets b LEFT JOIN granted g ON true LEFT JOIN lease l ON true
        WHERE b.id = $1`,
      [budgetId, periodStart, amount.toString(), holder, expiresAt],
    );
    const row = rows[0];
    if (!row) return { granted: false, state: null };
    if (row.lease_micros !== null)
      return { granted: true, leaseMicros: BigInt(row.lease_micros), headroomMicros: BigInt(row.headroom!) };
    return {
      granted: false,
      state: {
        limitMicros: BigInt(row.limit_micros),
        spentMicros: BigInt(row.spent_micros),
        reservedMicros: BigInt(row.reserved_micros),
        periodStart: row.period_start,
      },
    };
  }

  /** Hands `amount` of a lease back to its budget; returns what the lease still holds (null: it is gone). */
  async giveBack(budgetId: string, periodStart: Date, amount: bigint, holder: string): Promise<bigint | null> {
    const rows: Array<{ amount_micros: string }> = await this.dataSource.query(
      `WITH locked AS (
         SELECT id FROM budgets WHERE id = $1 FOR UPDATE
       ), lease AS (
         UPDATE budget_leases SET amount_micros = amount_micros - $4
          WHERE budget_id = $1 AND period_start = $2 AND holder = $3 AND amount_micros >= $4
            AND EXISTS (SELECT 1 FROM locked)
         RETURNING amount_micros
       ), budget AS (
         UPDATE budgets SET reserved_micros = reserved_micros - $4
          WHERE id = $1 AND period_start = $2 AND EXISTS (SELECT 1 FROM lease)
       )
       SELECT amount_micros FROM lease`,
      [budgetId, periodStart, holder, amount.toString()],
    );
    return rows[0] ? BigInt(rows[0].amount_micros) : null;
  }

  /** Extends `holder`'s live leases; returns them as Postgres holds them (a missing one was released). */
  async renew(
    holder: string,
    expiresAt: Date,
  ): Promise<Array<{ budgetId: string; periodStart: Date; amountMicros: bigint }>> {
    const rows: Array<{ budget_id: string; period_start: Date; amount_micros: string }> = await this.dataSource.query(
      `WITH renewed AS (
         UPDATE budget_leases SET expires_at = $2 WHERE holder = $1 AND amount_micros > 0
         RETURNING budget_id, period_start, amount_micros
       )
       SELECT * FROM renewed`,
      [holder, expiresAt],
    );
    return rows.map((row) => ({
      budgetId: row.budget_id,
      periodStart: row.period_start,
      amountMicros: BigInt(row.amount_micros),
    }));
  }

  /**
   * Writes settled requests to the ledger and charges their costs, in one transaction: each cost moves
   * from the lease it was held in (its row's `holder`, budget and period; up to what the lease holds) to
   * `spent_micros`. An entry already in the ledger (a retried flush, a replayed spill) is neither written nor
   * charged twice. Costs of a period the budget has left stay in the ledger only.
   */
  async writeLedger(rows: readonly LedgerRow[]): Promise<{ written: Set<string>; budgets: SettledBudget[] }> {
    this.stats.ledgerFlushes++;
    return this.dataSource.transaction(async (manager) => {
      const inserted: Array<{ id: string }> = await manager.query(
        `INSERT INTO ledger_entries (${LEDGER_COLUMN_LIST})
         SELECT ${LEDGER_COLUMN_LIST} FROM json_to_recordset($1::json) AS entry(${LEDGER_RECORDSET_DEFINITION})
         ON CONFLICT (id) DO NOTHING
         RETURNING id`,
        [JSON.stringify(rows.map(ledgerRow))],
      );
      const written = new Set(inserted.map((row) => row.id));
      const list = leaseCharges(rows, written);
      let budgets: SettledBudget[] = [];
      if (list.length > 0) {
        // Budgets before leases, as the lease statement locks them: the opposite order can deadlock with a
        // top-up of the same budget (as when a backlog is written while requests resume after an outage).
        await manager.query('SELECT 1 FROM budgets WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE', [
          [...new Set(list.map((c) => c.budgetId))],
        ]);
        const settled: SettledBudgetRow[] = await manager.query(
          `WITH charge AS (
             SELECT * FROM unnest($1::text[], $2::uuid[], $3::timestamptz[], $4::bigint[]) AS c(holder, budget_id, period_start, amount)
           ), taken AS (
             SELECT l.holder, l.budget_id, l.period_start, LEAST(l.amount_micros, c.amount) AS amount
               FROM budget_leases l
               JOIN charge c ON l.holder = c.holder AND l.budget_id = c.budget_id AND l.period_start = c.period_start
                FOR UPDATE OF l
           ), leases AS (
             UPDATE budget_leases l SET amount_micros = l.amount_micros - t.amount
               FROM taken t WHERE l.holder = t.holder AND l.budget_id = t.budget_id AND l.period_start = t.period_start
           ), per_budget AS (
             SELECT c.budget_id, c.period_start, SUM(c.amount) AS spent, COALESCE(SUM(t.amount), 0) AS released
               FROM charge c
               LEFT JOIN taken t ON t.holder = c.holder AND t.budget_id = c.budget_id AND t.period_start = c.period_start
              GROUP BY c.budget_id, c.period_start
           ), settled AS (
             UPDATE budgets b
                SET spent_micros = b.spent_micros + p.spent, reserved_micros = b.reserved_micros - p.released
               FROM per_budget p
              WHERE b.id = p.budget_id AND b.period_start = p.period_start
             RETURNING b.id, b.scope, b.scope_id, b.limit_micros, b.spent_micros, b.period, b.period_start
           )
           SELECT * FROM settled`,
          [
            list.map((c) => c.holder),
            list.map((c) => c.budgetId),
            list.map((c) => c.periodStart.toISOString()),
            list.map((c) => c.amount.toString()),
          ],
        );
        budgets = settled.map(settledBudget);
      }
      return { written, budgets };
    });
  }

  /** Releases the leases of instances that stopped renewing them (crashed); returns how many and how much. */
  async releaseExpired(now: Date, holder: string): Promise<{ leases: number; micros: bigint }> {
    const rows: Array<{ leases: string; micros: string }> = await this.dataSource.query(
      `WITH locked AS (
         SELECT id FROM budgets b
          WHERE EXISTS (SELECT 1 FROM budget_leases l WHERE l.budget_id = b.id AND l.expires_at < $1 AND l.holder <> $2)
          ORDER BY id FOR UPDATE
       ), gone AS (
         DELETE FROM budget_leases
          WHERE expires_at < $1 AND holder <> $2 AND budget_id IN (SELECT id FROM locked)
         RETURNING budget_id, period_start, amount_micros
       ), released AS (
         SELECT budget_id, period_start, SUM(amount_micros) AS amount, COUNT(*) AS leases FROM gone GROUP BY budget_id, period_start
       ), budget AS (
         UPDATE budgets b SET reserved_micros = b.reserved_micros - r.amount
           FROM released r WHERE b.id = r.budget_id AND b.period_start = r.period_start
       )
       SELECT COALESCE(SUM(leases), 0) AS leases, COALESCE(SUM(amount), 0) AS micros FROM released`,
      [now, holder],
    );
    return { leases: Number(rows[0].leases), micros: BigInt(rows[0].micros) };
  }
}

/** A ledger row as the INSERT's JSON parameter carries it (one `JSON.stringify` per batch, not 14 arrays). */
type HeldCharge = LedgerCharge & { holder: string };

/**
 * One charge per lease (holder, budget and period) for the written rows, whatever the number of entries in the
 * batch; summed in maps by holder, budget and period start rather than by a key string built per charge.
 */
function leaseCharges(rows: readonly LedgerRow[], written: ReadonlySet<string>): HeldCharge[] {
  const list: HeldCharge[] = [];
  const byHolder = new Map<string, Map<string, Map<number, HeldCharge>>>();
  for (const row of rows) {
    if (!written.has(row.id)) continue;
    let byBudget = byHolder.get(row.holder);
    if (!byBudget) byHolder.set(row.holder, (byBudget = new Map<string, Map<number, HeldCharge>>()));
    for (const { budgetId, periodStart, amount } of row.charges) {
      let byPeriod = byBudget.get(budgetId);
      if (!byPeriod) byBudget.set(budgetId, (byPeriod = new Map<number, HeldCharge>()));
      const charge = byPeriod.get(periodStart.getTime());
      if (charge) charge.amount += amount;
      else {
        const added = { holder: row.holder, budgetId, periodStart, amount };
        byPeriod.set(periodStart.getTime(), added);
        list.push(added);
      }
    }
  }
  return list;
}

function ledgerRow(e: LedgerRow): Record<(typeof LEDGER_COLUMNS)[number][0], string | number | null> {
  return {
    id: e.id,
    request_id: e.requestId,
    team_id: e.teamId,
    project_id: e.projectId,
    key_id: e.keyId,
    model_served: e.modelServed,
    deployment: e.deployment,
    prompt_tokens: e.usage?.promptTokens ?? null,
    cached_prompt_tokens: e.usage?.cachedTokens ?? null,
    completion_tokens: e.usage?.completionTokens ?? null,
    cost_micros: e.costMicros?.toString() ?? null,
    cost_status: e.costStatus,
    admitted_at: e.admittedAt.toISOString(),
    settled_at: e.settledAt.toISOString(),
  };
}

interface SettledBudgetRow {
  id: string;
  scope: SettledBudget['level'];
  scope_id: string;
  limit_micros: string;
  spent_micros: string;
  period: SettledBudget['period'];
  period_start: Date;
}

function settledBudget(row: SettledBudgetRow): SettledBudget {
  return {
    id: row.id,
    level: row.scope,
    scopeId: row.scope_id,
    limitMicros: BigInt(row.limit_micros),
    spentMicros: BigInt(row.spent_micros),
    period: row.period,
    periodStart: row.period_start,
  };
}

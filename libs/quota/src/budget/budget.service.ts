import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { Clock, newId, Principal } from '@app/common';
import { DatabaseAvailability, DatabaseUnavailableError, SpillDirectory, SpillFile } from '@app/persistence';
import { formatUsd } from '../money/micros';
import { QuotaPolicyService } from '../policy/quota-policy.service';
import { quotaConfig } from '../quota.config';
import { QuotaStats } from '../quota-stats';
import { BudgetLeases } from './budget-leases';
import { BudgetHold, BudgetReservation, LedgerSink } from './budget-reservation';
import { BudgetStore, LedgerRow } from './budget.store';
import type { SettledBudgetsListener } from './settled-budget';

/** Ledger rows per INSERT. */
const FLUSH_BATCH = 2_000;
/** A lease unused for this many flush intervals is handed back. */
const IDLE_INTERVALS = 3;
/** Expired leases are looked for at least this often (in flush intervals), and four times per TTL. */
const RECONCILE_INTERVALS = 10;

/**
 * Reserve → settle against every budget a request belongs to (key, project, team).
 *
 * `reserve` holds the request's maximum cost at each level, from this instance's leases (see
 * `BudgetLeases`). `settle` turns the hold into the actual cost and queues a ledger entry; `release` drops
 * it. Every flush interval the queued entries are written to Postgres in one transaction, leases are
 * renewed, idle headroom is handed back, and leases of crashed instances are released after their TTL.
 *
 * While Postgres is unreachable, entries wait: in memory up to QUOTA_LEDGER_BUFFER_MAX_ROWS, beyond that on
 * disk (the spill directory), and are written once it is back — each exactly once, by its id. An entry is
 * never dropped: should the disk refuse too, new reservations get the 503 until the backlog drains.
 */
@Injectable()
export class BudgetService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(BudgetService.name);
  private pending: LedgerRow[] = [];
  private readonly spilled: SpillFile<LedgerRow>;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private lastReconcileAt = 0;
  private readonly settledListeners: SettledBudgetsListener[] = [];

  constructor(
    private readonly policies: QuotaPolicyService,
    private readonly leases: BudgetLeases,
    private readonly store: BudgetStore,
    private readonly clock: Clock,
    private readonly stats: QuotaStats,
    private readonly database: DatabaseAvailability,
    private readonly spillDirectory: SpillDirectory,
    @Inject(quotaConfig.KEY) private readonly settings: ConfigType<typeof quotaConfig>,
  ) {
    this.spilled = spillDirectory.open<LedgerRow>('ledger');
  }

  onModuleInit(): void {
    this.timer = setInterval(() => void this.maintain(), this.settings.flushIntervalMs);
    this.timer.unref();
    this.database.onRecovery(() => void this.maintain());
  }

  /**
   * The last ledger write. `onApplicationShutdown`, not `before…`: Nest runs the latter before the HTTP server
   * closes, and requests still in flight settle after it; the database pool (a global module) closes after this.
   */
  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    try {
      // Requests still in flight settle meanwhile: until none is left.
      do await this.flush();
      while (this.pending.length > 0);
    } catch (error) {
      if (!this.database.noteFailure(error)) throw error;
      const rows = this.pending.length;
      this.spillBacklog(0);
      const lost = this.pending.length;
      const summary = { spilled: rows - lost, lost, dir: this.spillDirectory.path };
      if (lost > 0) this.logger.error(summary, 'ledger entries could not be written before shutdown or spilled');
      else this.logger.warn(summary, 'ledger entries could not be written before shutdown; the next start writes them');
      return;
    }
    await this.leases
      .giveBackUnused(0, true)
      .catch((error: unknown) => this.logger.warn({ err: error }, 'could not hand leases back'));
  }

  /**
   * Calls `listener` after each ledger write with the budgets it charged, as Postgres now holds them (e.g. for
   * threshold alerts). Off the request path; a listener's failure is logged and does not affect the flush.
   */
  onSettled(listener: SettledBudgetsListener): void {
    this.settledListeners.push(listener);
  }

  /** Settled entries not yet in Postgres: in memory, and on disk. */
  get ledgerBacklog(): { buffered: number; spilled: number } {
    return { buffered: this.pending.length, spilled: this.spilled.rows };
  }

  /**
   * Holds `maxCostMicros` at every budgeted level of the caller, or throws the 402 naming the level that
   * has no room. A request with no computable cost holds nothing (its entry is flagged when settled).
   */
  async reserve(principal: Principal, requestId: string, maxCostMicros: bigint): Promise<BudgetReservation> {
    // Memory past its cap means the disk refused the overflow: an entry that could not be kept is never made.
    if (this.pending.length > this.settings.ledgerBufferMaxRows)
      throw new DatabaseUnavailableError('No request can be admitted');
    const admittedAt = this.clock.now();
    const { budgets } = await this.policies.for(principal);
    const holds: BudgetHold[] = [];
    if (maxCostMicros > 0n) {
      let local = true;
      try {
        let now = this.clock.now();
        for (const policy of budgets) {
          const lease = this.leases.holdLocally(policy, maxCostMicros, now);
          if (lease) {
            holds.push({ lease, amount: maxCostMicros });
            continue;
          }
          const held = await this.leases.hold(policy, maxCostMicros);
          now = this.clock.now();
          if (!held) continue;
          holds.push({ lease: held.lease, amount: maxCostMicros });
          local &&= held.local;
        }
      } catch (error) {
        for (const hold of holds) hold.lease.release(hold.amount);
        throw error;
      }
      if (holds.length > 0 && local) this.stats.budgetChecksFromLease++;
    }
    return new BudgetReservation(
      newId('spend_'),
      maxCostMicros,
      { principal, requestId, admittedAt },
      holds,
      this.ledger,
    );
  }

  /** Where every reservation settles: one object for all of them. */
  private readonly ledger: LedgerSink = {
    holder: this.leases.holder,
    record: (entry) => {
      if (entry.costStatus === 'unpriced') this.stats.unpricedRequests++;
      this.pending.push(entry);
      if (this.pending.length > this.settings.ledgerBufferMaxRows) {
        this.spillBacklog(this.settings.ledgerBufferMaxRows);
      }
    },
    returnChange: (leases) => this.leases.returnChange(leases),
    now: () => this.clock.now(),
  };

  /**
   * Writes every settled request queued so far to the ledger, then what waits on disk (also runs every
   * flush interval). A failed write keeps its entries, retried later: their ids make a repeated write
   * harmless.
   */
  async flush(): Promise<void> {
    // Only what is queued now: entries settled during the write wait for the next interval, so that under load
    // a flush writes an interval's entries in a few statements instead of chasing them in many small ones.
    for (let left = this.pending.length; left > 0; left -= FLUSH_BATCH) {
      const batch = this.pending.splice(0, Math.min(left, FLUSH_BATCH));
      try {
        await this.write(batch);
      } catch (error) {
        this.pending.unshift(...batch);
        this.spillBacklog(this.settings.ledgerBufferMaxRows);
        throw error;
      }
    }
    for (let segment = this.spilled.oldest(); segment; segment = this.spilled.oldest()) {
      await this.write(segment.rows);
      segment.remove();
    }
  }

  private async write(batch: readonly LedgerRow[]): Promise<void> {
    const { written, budgets } = await this.store.writeLedger(batch);
    this.stats.ledgerEntries += written.size;
    if (budgets.length > 0) this.announceSettled(budgets);
    // Postgres took the costs out of the leases that held them; this instance's own follow.
    for (const row of batch) {
      if (row.holder !== this.leases.holder) continue;
      for (const { budgetId, periodStart, amount } of row.charges) {
        this.leases.leaseAt(budgetId, periodStart)?.flushed(amount);
      }
    }
  }

  private announceSettled(budgets: Parameters<SettledBudgetsListener>[0]): void {
    for (const listener of this.settledListeners) {
      void (async () => listener(budgets))().catch((error: unknown) =>
        this.logger.error({ err: error }, 'a settled-budget listener failed'),
      );
    }
  }

  /** Moves the oldest entries to disk, a whole batch per segment, until at most `keep` stay in memory. */
  private spillBacklog(keep: number): void {
    while (this.pending.length > keep) {
      const chunk = this.pending.splice(0, FLUSH_BATCH);
      if (!this.spilled.write(chunk)) {
        this.pending.unshift(...chunk);
        return;
      }
    }
  }

  private maintain(): Promise<void> {
    // While Postgres is down nothing here can succeed; its recovery starts the next run.
    if (!this.database.reachable) return Promise.resolve();
    this.running ??= this.maintainOnce()
      .catch((error: unknown) => {
        if (!this.database.noteFailure(error)) {
          this.logger.error({ err: error }, 'budget maintenance failed; retrying next interval');
        }
      })
      .finally(() => (this.running = undefined));
    return this.running;
  }

  private async maintainOnce(): Promise<void> {
    // Renewed first: after an outage the leases are stale, and until renewed every request would top up.
    await this.leases.renew();
    await this.flush();
    await this.leases.giveBackUnused(IDLE_INTERVALS * this.settings.flushIntervalMs);
    const reconcileEveryMs = Math.min(
      this.settings.reservationTtlMs / 4,
      RECONCILE_INTERVALS * this.settings.flushIntervalMs,
    );
    if (Date.now() - this.lastReconcileAt >= reconcileEveryMs) {
      this.lastReconcileAt = Date.now();
      const released = await this.store.releaseExpired(this.clock.now(), this.leases.holder);
      if (released.leases > 0) {
        this.stats.orphanedLeasesReleased += released.leases;
        this.logger.warn(
          `released ${released.leases} expired budget lease(s) of stopped instances (${formatUsd(released.micros)})`,
        );
      }
    }
  }
}

import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Clock, GatewayError } from '@app/common';
import { DatabaseAvailability, DatabaseUnavailableError } from '@app/persistence';
import type { BudgetPolicy } from '../policy/quota-policy.service';
import { quotaConfig } from '../quota.config';
import { budgetExhausted } from './budget-exhausted';
import { BudgetLease } from './budget-lease';
import { periodStart } from './budget-period';
import { BudgetStore } from './budget.store';
import { LeaseTable } from './lease-table';

/** An instance never leases more than this share of a budget's remaining headroom at once. */
const HEADROOM_SHARE = 10n;
/** Attempts to top a lease up before giving up; two suffice unless Postgres disagrees with local figures. */
const TOP_UP_ATTEMPTS = 3;

/**
 * This instance's leases, one per budget and period. Admission takes from a lease locally; when a lease
 * runs short it is topped up with one atomic statement — by a chunk while the budget has ample headroom,
 * by exactly the request's shortfall near the limit — so a budget check costs a database round trip only
 * once per chunk, or per request when the budget is nearly spent.
 */
@Injectable()
export class BudgetLeases {
  private readonly logger = new Logger(BudgetLeases.name);
  /** Names this instance's lease rows; a new one per process. */
  readonly holder = `${hostname()}/${process.pid}/${randomBytes(4).toString('hex')}`;
  private readonly leases = new LeaseTable();

  constructor(
    private readonly store: BudgetStore,
    private readonly clock: Clock,
    private readonly database: DatabaseAvailability,
    @Inject(quotaConfig.KEY) private readonly settings: ConfigType<typeof quotaConfig>,
  ) {}

  /**
   * A lease is trusted for half the reservation TTL after Postgres last confirmed it. While Postgres is
   * unreachable nobody can renew it, but nobody can take it back either before its row expires (another
   * instance releases a lease only past its TTL): its headroom is spent until one flush interval before that.
   */
  private get freshForMs(): number {
    const ttl = this.settings.reservationTtlMs;
    return this.database.reachable ? ttl / 2 : ttl - this.settings.flushIntervalMs;
  }

  /**
   * The common case of `hold`, synchronously: holds `amount` from the lease's local headroom and returns the
   * lease, or returns null (nothing held) when that needs a database round trip — then call `hold`.
   */
  holdLocally(policy: BudgetPolicy, amount: bigint, now = this.clock.now()): BudgetLease | null {
    const lease = this.leaseFor(policy, now);
    return lease.tryHold(amount, now.getTime(), this.freshForMs) ? lease : null;
  }

  /**
   * Holds `amount` of the budget for one request; `local` tells whether that took no database round trip
   * of its own, null means the budget was deleted meanwhile. Throws the 402 when the budget has no room,
   * and the 503 when the lease cannot cover it while Postgres is unreachable (fail closed: no request
   * is admitted against headroom nobody has reserved).
   */
  async hold(policy: BudgetPolicy, amount: bigint): Promise<{ lease: BudgetLease; local: boolean } | null> {
    const now = this.clock.now();
    const lease = this.leaseFor(policy, now);
    if (lease.tryHold(amount, now.getTime(), this.freshForMs)) return { lease, local: true };
    if (!this.database.reachable) throw budgetUnavailable(policy);
    try {
      // Queued behind another request's top-up, this one usually finds room in it and needs no statement.
      const outcome = await lease.exclusive(() => this.topUpAndHold(lease, amount));
      return outcome === 'gone' ? null : { lease, local: outcome === 'local' };
    } catch (error) {
      if (this.database.noteFailure(error)) throw budgetUnavailable(policy, error);
      throw error;
    }
  }

  /**
   * This instance's lease for a budget and period, if it has one. A lease with costs not yet in the ledger
   * is never dropped, so a ledger entry's charges find the lease object they were held in.
   */
  leaseAt(budgetId: string, periodStart: Date): BudgetLease | undefined {
    return this.leases.get(budgetId, periodStart.getTime());
  }

  /** Postgres's view of every lease this instance holds: extends them, and corrects local figures. */
  async renew(): Promise<void> {
    if (![...this.leases].some((lease) => lease.granted > 0n)) return;
    const now = this.clock.now();
    const rows = await this.store.renew(this.holder, this.expiresAt(now));
    const amounts = new Map(rows.map((row) => [leaseKey(row.budgetId, row.periodStart), row.amountMicros]));
    for (const lease of this.leases) {
      // A lease with a statement in flight is confirmed by that statement instead.
      if (!lease.busy) lease.confirm(amounts.get(leaseKey(lease.policy.id, lease.periodStart)) ?? 0n, now.getTime());
    }
  }

  /** After a settlement: near the limit, the unused part of the reservation goes straight back to the budget. */
  async returnChange(leases: readonly BudgetLease[]): Promise<void> {
    // While Postgres is down the change stays in the lease, which is handed back once it is back.
    if (!this.database.reachable) return;
    for (const lease of leases) {
      if (!lease.nearLimit || lease.available <= 0n) continue;
      await this.giveBack(lease).catch((error: unknown) =>
        this.logger.warn({ err: error }, 'could not hand back a lease'),
      );
    }
  }

  /**
   * Hands unused headroom back so other instances can use it: leases idle for `idleMs`, and those of a
   * period or policy that no longer applies. `all` (shutdown) hands back every lease's unused part.
   */
  async giveBackUnused(idleMs: number, all = false): Promise<void> {
    const now = this.clock.now();
    for (const lease of this.leases) {
      if (lease.busy) continue;
      const current = lease.periodStart.getTime() === periodStart(lease.policy.period, now).getTime();
      const idle = lease.idle && now.getTime() - lease.lastUsedAt >= idleMs;
      if (lease.available > 0n && (all || idle || !current)) await this.giveBack(lease);
      if (lease.granted === 0n && lease.idle && !lease.busy && (idle || !current))
        this.leases.delete(lease.policy.id, lease);
    }
  }

  private leaseFor(policy: BudgetPolicy, now: Date): BudgetLease {
    const start = periodStart(policy.period, now);
    let lease = this.leases.get(policy.id, start.getTime());
    if (!lease) {
      lease = new BudgetLease(policy, start);
      this.leases.set(policy.id, lease);
    } else if (lease.policy.limitMicros !== policy.limitMicros) {
      // A changed limit applies to headroom leased from now on: hand back what was leased under the old one.
      lease.policy = policy;
      lease.headroomHint = policy.headroomMicros;
      void this.giveBack(lease).catch((error: unknown) =>
        this.logger.warn({ err: error }, 'could not hand back a lease'),
      );
    }
    return lease;
  }

  private async topUpAndHold(lease: BudgetLease, amount: bigint): Promise<'local' | 'leased' | 'gone'> {
    for (let attempt = 0; attempt < TOP_UP_ATTEMPTS; attempt++) {
      const now = this.clock.now();
      if (lease.tryHold(amount, now.getTime(), this.freshForMs)) return attempt === 0 ? 'local' : 'leased';
      const usable = lease.isFresh(now.getTime(), this.freshForMs) && lease.available > 0n ? lease.available : 0n;
      const shortfall = amount - usable;
      const chunk = min(this.settings.leaseChunkMicros, lease.headroomHint / HEADROOM_SHARE);
      let result = await this.store.lease(
        lease.policy.id,
        lease.periodStart,
        max(shortfall, chunk),
        this.holder,
        this.expiresAt(now),
      );
      lease.nearLimit = chunk <= shortfall;
      if (!result.granted && result.state && chunk > shortfall) {
        // Near the limit: reserve exactly what this request lacks.
        result = await this.store.lease(
          lease.policy.id,
          lease.periodStart,
          shortfall,
          this.holder,
          this.expiresAt(now),
        );
        lease.nearLimit = true;
      }
      if (!result.granted) {
        if (!result.state) return 'gone';
        if (result.state.periodStart > lease.periodStart) {
          throw new GatewayError(
            'service_unavailable',
            'Gateway instances disagree about the budget period; their clocks must be in sync.',
            {
              retryAfterSeconds: 1,
            },
          );
        }
        lease.headroomHint = 0n;
        throw budgetExhausted(lease.policy, result.state, lease.periodStart, amount);
      }
      lease.headroomHint = result.headroomMicros;
      lease.confirm(result.leaseMicros, now.getTime());
    }
    throw new GatewayError('service_unavailable', 'The budget could not be reserved; try again.', {
      retryAfterSeconds: 1,
    });
  }

  private async giveBack(lease: BudgetLease): Promise<void> {
    lease.givingBack = true;
    try {
      await lease.exclusive(async () => {
        const unused = lease.available;
        if (unused <= 0n) return;
        const remaining = await this.store.giveBack(lease.policy.id, lease.periodStart, unused, this.holder);
        lease.confirm(remaining ?? 0n, this.clock.now().getTime());
      });
    } finally {
      lease.givingBack = false;
    }
  }

  private expiresAt(now: Date): Date {
    return new Date(now.getTime() + this.settings.reservationTtlMs);
  }
}

function budgetUnavailable(policy: BudgetPolicy, cause?: unknown): GatewayError {
  return new DatabaseUnavailableError(
    `The ${policy.level}'s budget cannot be checked beyond this instance's leased headroom`,
    cause,
  );
}

/** A lease's key in Postgres's answer to a renewal (once per flush interval, not per request). */
function leaseKey(budgetId: string, start: Date): string {
  return `${budgetId}/${start.getTime()}`;
}

const min = (a: bigint, b: bigint) => (a < b ? a : b);
const max = (a: bigint, b: bigint) => (a > b ? a : b);

import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Clock, PeriodicJob } from '@app/common';
import { IdempotencyStore } from './idempotency.store';

/**
 * An in-progress claim holds its pair for LEASE_MS at a time. Every RENEW_EVERY_MS this instance extends the
 * leases of all the claims it is still answering, in one statement, so a long stream keeps its claim while a
 * claim whose instance crashed is free for a repeat within LEASE_MS.
 */
export const LEASE_MS = 30_000;
const RENEW_EVERY_MS = 10_000;

@Injectable()
export class ClaimLeases implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ClaimLeases.name);
  private readonly held = new Set<string>();
  private readonly renewal = new PeriodicJob(
    () => this.renew(),
    // The next tick retries; a lease that runs out meanwhile frees its pair for a repeat.
    (error) => this.logger.warn({ error: (error as Error).message }, 'could not renew idempotency claims'),
  );

  constructor(
    private readonly store: IdempotencyStore,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    this.renewal.start(RENEW_EVERY_MS);
  }

  /** After the HTTP server has closed: streams still draining before then keep their claims. */
  async onApplicationShutdown(): Promise<void> {
    await this.renewal.stop();
  }

  /** When a claim taken now stops holding its pair unless renewed. */
  leaseFromNow(): Date {
    return new Date(this.clock.now().getTime() + LEASE_MS);
  }

  hold(token: string): void {
    this.held.add(token);
  }

  drop(token: string): void {
    this.held.delete(token);
  }

  private async renew(): Promise<void> {
    if (this.held.size > 0) await this.store.renew([...this.held], this.leaseFromNow());
  }
}

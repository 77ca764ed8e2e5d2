import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Clock, PeriodicJob } from '@app/common';
import { IdempotencyStore } from './idempotency.store';

const EVERY_TEN_MINUTES_MS = 600_000;
/** Rows per DELETE: short statements, so a large backlog never holds locks or the pool for long. */
const BATCH = 1_000;
/** Batches per run at most; what is left waits for the next run. */
const MAX_BATCHES = 100;

/** Deletes stored Idempotency-Key answers past their expiry (IDEMPOTENCY_TTL_HOURS): at start-up, then every 10 min. */
@Injectable()
export class IdempotencyPurge implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(IdempotencyPurge.name);
  private readonly job = new PeriodicJob(
    () => this.run(),
    // Left to the next run.
    (error) => this.logger.warn({ error: (error as Error).message }, 'could not purge expired idempotency records'),
  );
  private stopping = false;

  constructor(
    private readonly store: IdempotencyStore,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    void this.job.runNow();
    this.job.start(EVERY_TEN_MINUTES_MS);
  }

  /** Before the database pool closes: waits for the batch under way, and starts no other. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.job.stop();
  }

  /** One purge; returns how many rows it deleted. */
  async run(): Promise<number> {
    let deleted = 0;
    const now = this.clock.now();
    try {
      for (let batch = 0; batch < MAX_BATCHES && !this.stopping; batch++) {
        const count = await this.store.purgeExpired(now, BATCH);
        deleted += count;
        if (count < BATCH) break;
      }
    } finally {
      if (deleted > 0) this.logger.log({ deleted }, 'purged expired idempotency records');
    }
    return deleted;
  }
}

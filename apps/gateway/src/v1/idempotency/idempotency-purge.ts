import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Clock } from '@app/common';
import { IdempotencyStore } from './idempotency.store';

const EVERY_TEN_MINUTES_MS = 600_000;
/** Rows per DELETE: short statements, so a large backlog never holds locks or the pool for long. */
const BATCH = 1_000;
/** Batches per run at most; what is left waits for the next run. */
const MAX_BATCHES = 100;

/** Deletes stored Idempotency-Key answers past their expiry (IDEMPOTENCY_TTL_HOURS): at start-up, then every 10 min. */
@Injectable()
export class IdempotencyPurge implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(IdempotencyPurge.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly store: IdempotencyStore,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    void this.run();
    this.timer = setInterval(() => void this.run(), EVERY_TEN_MINUTES_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** One purge; returns how many rows it deleted. Failures are logged and left to the next run. */
  async run(): Promise<number> {
    let deleted = 0;
    try {
      const now = this.clock.now();
      for (let batch = 0; batch < MAX_BATCHES; batch++) {
        const count = await this.store.purgeExpired(now, BATCH);
        deleted += count;
        if (count < BATCH) break;
      }
    } catch (error) {
      this.logger.warn({ error: (error as Error).message }, 'could not purge expired idempotency records');
    }
    if (deleted > 0) this.logger.log({ deleted }, 'purged expired idempotency records');
    return deleted;
  }
}

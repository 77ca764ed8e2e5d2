import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Clock } from '@app/common';
import { RequestRecordPartitions } from './request-record.partitions';

const EVERY_HOUR_MS = 3_600_000;
const DAYS_AHEAD = 3;

/** Keeps partitions a few days ahead of the clock and drops expired ones: at start-up, then hourly. */
@Injectable()
export class RequestRecordMaintenance implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RequestRecordMaintenance.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly partitions: RequestRecordPartitions,
    private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.run();
    this.timer = setInterval(() => void this.run(), EVERY_HOUR_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private async run(): Promise<void> {
    try {
      const now = this.clock.now();
      await this.partitions.ensureAround(now, DAYS_AHEAD);
      const dropped = await this.partitions.dropExpired(now);
      if (dropped.length > 0) this.logger.log({ partitions: dropped }, 'dropped request records past retention');
    } catch (error) {
      // The next run retries; a missing partition is also created on demand by the writer.
      this.logger.warn({ error: (error as Error).message }, 'request record partition maintenance failed');
    }
  }
}

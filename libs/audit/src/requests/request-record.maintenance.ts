import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Clock, PeriodicJob } from '@app/common';
import { RequestRecordPartitions } from './request-record.partitions';

const EVERY_HOUR_MS = 3_600_000;
const DAYS_AHEAD = 3;

/** Keeps partitions a few days ahead of the clock and drops expired ones: at start-up, then hourly. */
@Injectable()
export class RequestRecordMaintenance implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RequestRecordMaintenance.name);
  private readonly job = new PeriodicJob(
    () => this.run(),
    // The next run retries; a missing partition is also created on demand by the writer.
    (error) => this.logger.warn({ error: (error as Error).message }, 'request record partition maintenance failed'),
  );

  constructor(
    private readonly partitions: RequestRecordPartitions,
    private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.job.runNow();
    this.job.start(EVERY_HOUR_MS);
  }

  /** Before the database pool closes: waits for the run under way. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.job.stop();
  }

  private async run(): Promise<void> {
    const now = this.clock.now();
    await this.partitions.ensureAround(now, DAYS_AHEAD);
    const dropped = await this.partitions.dropExpired(now);
    if (dropped.length > 0) this.logger.log({ partitions: dropped }, 'dropped request records past retention');
  }
}

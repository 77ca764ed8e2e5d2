import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';
import type { RequestRecord } from '@app/audit';
import { presentedKeyPrefix } from '@app/auth';
import { AnomalyConfig, Clock, PeriodicJob } from '@app/common';
import { DatabaseAvailability } from '@app/persistence';
import { ModelCatalogService } from '@app/routing';
import { AnomalyWindows } from './anomaly-windows';
import { AuthFailureDetector } from './auth-failure.detector';
import { SightingDetector } from './sighting.detector';
import { SpendAnomalyDetector } from './spend-anomaly.detector';
import { UsageRollup } from './usage-rollup';

/** How often tallies are written and the rollup tables pruned. */
const FLUSH_MS = 5_000;
const PURGE_MS = 3_600_000;
/** Auth failure windows kept after they end (enough to look at, small enough to stay small). */
const AUTH_FAILURES_KEPT_MS = 86_400_000;

/**
 * The anomaly detectors, off the request path. `observe` (called with each evidence record, once its
 * response has ended) only updates in-memory tallies; a timer writes them every few seconds, in one
 * statement per table, and checks the spend windows several times per window (a fifth of it, at most once a
 * minute, at least every 5 s), so an anomaly is reported within one window. Settings are the `alerts.anomaly`
 * section of the catalog that serves now.
 */
@Injectable()
export class AnomalyDetectors implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(AnomalyDetectors.name);
  private readonly job = new PeriodicJob(
    () => this.tick(),
    (error) => this.failed('turn', error),
  );
  /** The next turn checks the windows even when no check is due (`checkNow`). */
  private checkNext = false;
  private windows?: AnomalyWindows;
  private lastCheck = 0;
  private lastPurge = 0;

  constructor(
    private readonly catalog: ModelCatalogService,
    private readonly clock: Clock,
    private readonly database: DatabaseAvailability,
    private readonly rollup: UsageRollup,
    private readonly spend: SpendAnomalyDetector,
    private readonly authFailures: AuthFailureDetector,
    private readonly sightings: SightingDetector,
  ) {}

  onModuleInit(): void {
    this.job.start(FLUSH_MS);
  }

  /**
   * After the HTTP server has closed, so the requests that ended during the drain are written too; before the
   * database pool closes (PersistenceModule is global, and Nest shuts global modules down last).
   */
  async onApplicationShutdown(): Promise<void> {
    await this.job.stop();
    await this.flush();
  }

  /** One request's facts, in memory: a few map updates, no I/O. */
  observe(record: RequestRecord, headers: IncomingHttpHeaders): void {
    const now = this.clock.now();
    const windows = this.currentWindows();
    if (record.status === 401) {
      const prefix = presentedKeyPrefix(headers);
      if (prefix) this.authFailures.add(prefix, record.client_ip, now, windows.settings.auth_failures);
      return;
    }
    if (!record.key_id || !record.project_id) return;
    if (record.client_ip) this.sightings.add(record.key_id, 'ip', record.client_ip, now);
    // Only requests a model answered, under the catalog's name for it: the name the client sent may be an alias
    // or made up, and counting by it would let a caller add a rollup row and a new_model alert per invented name.
    const model = record.model_served;
    if (!model) return;
    this.rollup.add(record.key_id, record.project_id, windows.bucketOf(now), model, record.cost_micro_usd ?? 0);
    this.sightings.add(record.key_id, 'model', model, now);
  }

  /** Writes the tallies and checks the windows now (the timer does this by itself; tests call it). */
  async checkNow(): Promise<void> {
    // A timer turn under way may skip the check (not due yet): wait for it, then run one that checks.
    await this.job.idle();
    this.checkNext = true;
    await this.job.runNow();
  }

  private async tick(): Promise<void> {
    const force = this.checkNext;
    this.checkNext = false;
    if (!this.database.reachable) return;
    await this.flush();
    const now = this.clock.now();
    const windows = this.currentWindows();
    const checkEveryMs = Math.min(60_000, Math.max(FLUSH_MS, windows.windowMs / 5));
    if (force || now.getTime() - this.lastCheck >= checkEveryMs) {
      this.lastCheck = now.getTime();
      await this.spend.check(now, windows).catch((error: unknown) => this.failed('spend check', error));
    }
    if (now.getTime() - this.lastPurge >= PURGE_MS) {
      this.lastPurge = now.getTime();
      await this.rollup
        .purge(new Date(windows.baselineStart(now).getTime() - windows.windowMs))
        .then(() => this.authFailures.purge(new Date(now.getTime() - AUTH_FAILURES_KEPT_MS)))
        .catch((error: unknown) => this.failed('purge', error));
    }
  }

  private async flush(): Promise<void> {
    const settings = this.currentWindows().settings;
    await this.rollup.flush().catch((error: unknown) => this.failed('usage rollup', error));
    await this.authFailures
      .flush(settings.auth_failures)
      .catch((error: unknown) => this.failed('auth failures', error));
    await this.sightings.flush().catch((error: unknown) => this.failed('sightings', error));
  }

  /** The grid for the settings in force; made again when a catalog reload changed them. */
  private currentWindows(): AnomalyWindows {
    const settings: AnomalyConfig = this.catalog.alerts().anomaly;
    if (this.windows?.settings !== settings) this.windows = new AnomalyWindows(settings);
    return this.windows;
  }

  private failed(what: string, error: unknown): void {
    // What failed stays in memory for the next flush (within bounds); a database outage is reported elsewhere.
    if (!this.database.noteFailure(error)) this.logger.warn({ err: error }, `anomaly detection: ${what} failed`);
  }
}

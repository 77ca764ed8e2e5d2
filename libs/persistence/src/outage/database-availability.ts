import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { DataSource } from 'typeorm';
import { scrubSecrets } from '@app/common';
import { persistenceConfig } from '../persistence.config';
import { isDatabaseUnreachable } from './database-errors';

/** How long `check()` and hot-path reads wait for an answer before calling the database unreachable. */
export const DATABASE_ANSWER_TIMEOUT_MS = 2_000;
/** While the database is down it is asked this often whether it is back. */
const PROBE_INTERVAL_MS = 1_000;

/**
 * Whether this instance can reach its database, as one shared signal. Any caller whose statement failed
 * for lack of a connection reports it (`noteFailure`); from then on the database counts as down — callers
 * serve what they already verified (keys, quota policies, leased budget headroom) and buffer what they
 * must write — until a probe answers. The state change is logged once each way, never per request, and
 * whoever waits for the database (the record and ledger writers) is called back when it is back.
 */
@Injectable()
export class DatabaseAvailability implements OnApplicationShutdown {
  private readonly logger = new Logger('Database');
  private downSince: number | null = null;
  private probeTimer?: NodeJS.Timeout;
  private checking?: Promise<boolean>;
  private stopped = false;
  private readonly recoveryListeners: Array<() => void> = [];

  constructor(
    private readonly dataSource: DataSource,
    @Inject(persistenceConfig.KEY) private readonly settings: ConfigType<typeof persistenceConfig>,
  ) {}

  onApplicationShutdown(): void {
    this.stopped = true;
    clearTimeout(this.probeTimer);
  }

  get reachable(): boolean {
    return this.downSince === null;
  }

  /** How long facts the database confirmed stay usable while it cannot be asked (`DATABASE_OUTAGE_GRACE_MS`). */
  get graceMs(): number {
    return this.settings.outageGraceMs;
  }

  /** True if `error` means the database is unreachable (and marks it down); false for any other failure. */
  noteFailure(error: unknown): boolean {
    if (!isDatabaseUnreachable(error)) return false;
    this.markDown(error);
    return true;
  }

  /** Called each time the database answers again after being down. */
  onRecovery(listener: () => void): void {
    this.recoveryListeners.push(listener);
  }

  /**
   * A database read on the request path, bounded: a partitioned network can leave a pooled connection
   * waiting for minutes, so no answer within DATABASE_ANSWER_TIMEOUT_MS counts as unreachable.
   */
  answerWithin<T>(work: Promise<T>, ms = DATABASE_ANSWER_TIMEOUT_MS): Promise<T> {
    let timer: NodeJS.Timeout;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(Object.assign(new Error(`no answer from the database within ${ms} ms`), { code: 'ETIMEDOUT' })),
        ms,
      );
    });
    work.catch(() => undefined); // an abandoned statement may still fail later; nobody is waiting for it
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
  }

  /** Asks the database (`SELECT 1`, bounded) and records the answer: readiness, and the probe while it is down. */
  check(): Promise<boolean> {
    this.checking ??= this.answerWithin(this.dataSource.query('SELECT 1'))
      .then(
        () => (this.markUp(), true),
        (error: unknown) => (this.markDown(error), false),
      )
      .finally(() => (this.checking = undefined));
    return this.checking;
  }

  private markDown(error: unknown): void {
    if (this.downSince !== null) return;
    this.downSince = Date.now();
    this.logger.warn(
      { reason: scrubSecrets(error instanceof Error ? error.message : String(error)) },
      'database unreachable: serving verified keys from memory and holding evidence and ledger rows until it is back',
    );
    this.scheduleProbe();
  }

  private markUp(): void {
    if (this.downSince === null) return;
    const downForMs = Date.now() - this.downSince;
    this.downSince = null;
    clearTimeout(this.probeTimer);
    this.logger.log({ downForMs }, 'database reachable again: writing held evidence and ledger rows');
    for (const listener of this.recoveryListeners) listener();
  }

  private scheduleProbe(): void {
    if (this.stopped) return;
    this.probeTimer = setTimeout(() => {
      void this.check().then((up) => up || this.scheduleProbe());
    }, PROBE_INTERVAL_MS);
    this.probeTimer.unref();
  }
}

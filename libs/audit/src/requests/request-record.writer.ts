import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { setTimeout as sleep } from 'node:timers/promises';
import { DatabaseAvailability, SpillDirectory, SpillFile } from '@app/persistence';
import { auditConfig } from '../audit.config';
import { RequestRecord } from './request-record';
import { isRefusedData, RequestRecordStore } from './request-record.store';

const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 5_000;
/** A write that has not answered by then is abandoned and retried; should it land after all, the retry is skipped as a duplicate. */
const WRITE_TIMEOUT_MS = 30_000;
const DROP_WARNING_EVERY_MS = 10_000;

/**
 * What the writer has done since start; monotonic except `buffered` and `spilled`. `dropped` includes
 * refused rows.
 */
export interface RecordWriterStats {
  /** Records in memory waiting to be written. */
  buffered: number;
  /** Records on disk (the spill directory) waiting to be written. */
  spilled: number;
  written: number;
  duplicates: number;
  dropped: number;
  failedWrites: number;
}

/** A batch on its way to the database, from memory or from a spilled segment. */
interface Batch {
  rows: readonly RequestRecord[];
  /** Written: forget it. */
  done(): void;
  /** Not written: keep it for the next attempt. */
  keep(): void;
}

/**
 * Buffers request records in memory and writes them in batches: when a batch is full, else at least every
 * flush interval. A failed write keeps its rows and is retried with backoff. While the database is
 * unreachable nothing is attempted (its recovery starts the next write); records wait in memory up to
 * EVIDENCE_BUFFER_MAX_ROWS, then on disk in the spill directory, oldest batch first, and are written once it
 * is back — memory first, then disk. Only what the disk refuses too (its size limit) is dropped, and
 * counted. A batch the database refuses as data is written row by row, so one bad row is dropped (and
 * counted) instead of blocking every record behind it. Shutdown writes what it can and leaves the rest on
 * disk for the next start.
 */
@Injectable()
export class RequestRecordWriter implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(RequestRecordWriter.name);
  private buffer: RequestRecord[] = [];
  private readonly spilled: SpillFile<RequestRecord>;
  private inFlight = 0;
  private writing?: Promise<void>;
  /** A flush was asked for (the interval, a recovery, shutdown): the buffer's partial batch is written too. */
  private due = false;
  private timer?: NodeJS.Timeout;
  private retryDelayMs = 0;
  private retryAt = 0;
  private lastDropWarning = 0;
  private readonly counts = { written: 0, duplicates: 0, dropped: 0, failedWrites: 0 };

  constructor(
    private readonly store: RequestRecordStore,
    private readonly database: DatabaseAvailability,
    private readonly spillDirectory: SpillDirectory,
    @Inject(auditConfig.KEY) private readonly settings: ConfigType<typeof auditConfig>,
  ) {
    this.spilled = spillDirectory.open<RequestRecord>('evidence');
  }

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), this.settings.flushIntervalMs);
    this.timer.unref();
    this.database.onRecovery(() => void this.flush());
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    const deadline = Date.now() + this.settings.shutdownFlushMs;
    while (this.buffer.length + this.spilled.rows > 0 && this.database.reachable && Date.now() < deadline) {
      await this.flush();
      if (this.buffer.length + this.spilled.rows > 0) {
        await sleep(Math.max(0, Math.min(this.retryAt, deadline) - Date.now()));
      }
    }
    await this.writing;
    if (this.buffer.length === 0) return;
    const rows = this.buffer.length;
    let spilling = true;
    while (this.buffer.length > 0 && spilling) spilling = this.spillOldest();
    const lost = this.buffer.length;
    this.counts.dropped += lost;
    const summary = { spilled: rows - lost, lost, dir: this.spillDirectory.path };
    if (lost > 0) this.logger.error(summary, 'request records could not be written before shutdown or spilled');
    else this.logger.warn(summary, 'request records could not be written before shutdown; the next start writes them');
    this.buffer = [];
  }

  get stats(): RecordWriterStats {
    return { buffered: this.buffer.length + this.inFlight, spilled: this.spilled.rows, ...this.counts };
  }

  add(record: RequestRecord): void {
    if (this.buffer.length >= this.settings.bufferMaxRows && !this.spillOldest()) {
      this.counts.dropped++;
      this.warnDropped();
      return;
    }
    this.buffer.push(record);
    if (this.buffer.length >= this.settings.batchSize) void this.startWriting();
  }

  /** Writes what waits, partial batch included, until nothing does or a write fails; one writer at a time. */
  flush(): Promise<void> {
    this.due = true;
    return this.startWriting();
  }

  private startWriting(): Promise<void> {
    this.writing ??= this.writeBatches().finally(() => (this.writing = undefined));
    return this.writing;
  }

  private async writeBatches(): Promise<void> {
    for (let batch = this.nextBatch(); batch; batch = this.nextBatch()) {
      try {
        const { inserted, refused } = await this.write(batch.rows);
        batch.done();
        this.counts.written += inserted;
        this.counts.dropped += refused;
        this.counts.duplicates += batch.rows.length - inserted - refused;
        this.retryDelayMs = 0;
      } catch (error) {
        batch.keep();
        this.counts.failedWrites++;
        this.retryDelayMs = Math.min(MAX_RETRY_MS, Math.max(FIRST_RETRY_MS, this.retryDelayMs * 2));
        this.retryAt = Date.now() + this.retryDelayMs;
        // An unreachable database is logged once, as a state change, not once per attempt.
        if (!this.database.noteFailure(error)) {
          this.logger.warn(
            { error: (error as Error).message, buffered: this.buffer.length, retryInMs: this.retryDelayMs },
            'writing request records failed; they stay buffered and are retried',
          );
        }
        return;
      }
    }
  }

  /**
   * The next batch to write, memory first, then disk; none while the database is down or a retry is not due.
   * A partial batch only when a flush is due: records that arrive during a write wait for the next interval
   * (or a full batch) instead of being chased in small statements, whose planning and commit would then cost
   * Postgres more than the rows (at 3,000 requests/s that is 600 rows a statement instead of a few dozen).
   */
  private nextBatch(): Batch | undefined {
    if (!this.database.reachable || Date.now() < this.retryAt) return undefined;
    if (this.buffer.length >= this.settings.batchSize || (this.due && this.buffer.length > 0)) {
      if (this.buffer.length <= this.settings.batchSize) this.due = false;
      const rows = this.buffer.splice(0, this.settings.batchSize);
      this.inFlight = rows.length;
      return {
        rows,
        done: () => (this.inFlight = 0),
        keep: () => {
          this.inFlight = 0;
          this.buffer.unshift(...rows);
        },
      };
    }
    const segment = this.spilled.oldest();
    return segment && { rows: segment.rows, done: () => segment.remove(), keep: () => undefined };
  }

  /** Moves the oldest batch of the buffer to disk; false when the disk refuses it (it stays in memory). */
  private spillOldest(): boolean {
    const chunk = this.buffer.slice(0, this.settings.batchSize);
    if (!this.spilled.write(chunk)) return false;
    this.buffer.splice(0, chunk.length);
    return true;
  }

  /** Writes a batch in one statement; if the database refuses its data, row by row to isolate the bad rows. */
  private async write(batch: readonly RequestRecord[]): Promise<{ inserted: number; refused: number }> {
    try {
      return { inserted: await this.insert(batch), refused: 0 };
    } catch (error) {
      if (!isRefusedData(error)) throw error;
    }
    let inserted = 0;
    const refused: Array<{ requestId: string; error: string }> = [];
    // Any other failure ends this pass and the batch is retried whole: rows already written are then skipped.
    for (const record of batch) {
      try {
        inserted += await this.insert([record]);
      } catch (error) {
        if (!isRefusedData(error)) throw error;
        refused.push({ requestId: record.request_id, error: (error as Error).message });
      }
    }
    for (const row of refused) this.logger.error(row, 'the database refused a request record; it is dropped');
    return { inserted, refused: refused.length };
  }

  private insert(batch: readonly RequestRecord[]): Promise<number> {
    return this.database.answerWithin(this.store.insert(batch), WRITE_TIMEOUT_MS);
  }

  private warnDropped(): void {
    const now = Date.now();
    if (now - this.lastDropWarning < DROP_WARNING_EVERY_MS) return;
    this.lastDropWarning = now;
    this.logger.error(
      { dropped: this.counts.dropped, bufferMaxRows: this.settings.bufferMaxRows, dir: this.spillDirectory.path },
      'request record buffer and spill directory are full; new records are being dropped',
    );
  }
}

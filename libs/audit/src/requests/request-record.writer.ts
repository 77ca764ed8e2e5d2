import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { setTimeout as sleep } from 'node:timers/promises';
import { auditConfig } from '../audit.config';
import { RequestRecord } from './request-record';
import { isRefusedData, RequestRecordStore } from './request-record.store';

const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 5_000;
/** A write that has not answered by then is abandoned and retried; should it land after all, the retry is skipped as a duplicate. */
const WRITE_TIMEOUT_MS = 30_000;
const DROP_WARNING_EVERY_MS = 10_000;

/** What the writer has done since start; monotonic except `buffered`. `dropped` includes refused rows. */
export interface RecordWriterStats {
  buffered: number;
  written: number;
  duplicates: number;
  dropped: number;
  failedWrites: number;
}

/**
 * Buffers request records in memory and writes them in batches: when a batch is full, else at least every
 * flush interval. A failed write keeps its rows and is retried with backoff (the database may be down for
 * a while; the buffer is bounded and anything beyond it is dropped and counted). A batch the database
 * refuses as data is written row by row, so one bad row is dropped (and counted) instead of blocking every
 * record behind it. Shutdown writes what is left.
 */
@Injectable()
export class RequestRecordWriter implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(RequestRecordWriter.name);
  private buffer: RequestRecord[] = [];
  private writing?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private retryDelayMs = 0;
  private retryAt = 0;
  private lastDropWarning = 0;
  private readonly counts = { written: 0, duplicates: 0, dropped: 0, failedWrites: 0 };

  constructor(
    private readonly store: RequestRecordStore,
    @Inject(auditConfig.KEY) private readonly settings: ConfigType<typeof auditConfig>,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), this.settings.flushIntervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    const deadline = Date.now() + this.settings.shutdownFlushMs;
    while (this.buffer.length > 0 && Date.now() < deadline) {
      await this.flush();
      if (this.buffer.length > 0) await sleep(Math.max(0, Math.min(this.retryAt, deadline) - Date.now()));
    }
    if (this.buffer.length > 0) {
      this.counts.dropped += this.buffer.length;
      this.logger.error(
        { rows: this.buffer.length },
        'request records could not be written before shutdown and are lost',
      );
      this.buffer = [];
    }
  }

  get stats(): RecordWriterStats {
    return { buffered: this.buffer.length, ...this.counts };
  }

  add(record: RequestRecord): void {
    if (this.buffer.length >= this.settings.bufferMaxRows) {
      this.counts.dropped++;
      this.warnDropped();
      return;
    }
    this.buffer.push(record);
    if (this.buffer.length >= this.settings.batchSize) void this.flush();
  }

  /** Writes batches until the buffer is empty or a write fails; one writer at a time. */
  flush(): Promise<void> {
    this.writing ??= this.writeBatches().finally(() => (this.writing = undefined));
    return this.writing;
  }

  private async writeBatches(): Promise<void> {
    while (this.buffer.length > 0 && Date.now() >= this.retryAt) {
      const batch = this.buffer.slice(0, this.settings.batchSize);
      try {
        const { inserted, refused } = await this.write(batch);
        this.buffer.splice(0, batch.length);
        this.counts.written += inserted;
        this.counts.dropped += refused;
        this.counts.duplicates += batch.length - inserted - refused;
        this.retryDelayMs = 0;
      } catch (error) {
        this.counts.failedWrites++;
        this.retryDelayMs = Math.min(MAX_RETRY_MS, Math.max(FIRST_RETRY_MS, this.retryDelayMs * 2));
        this.retryAt = Date.now() + this.retryDelayMs;
        this.logger.warn(
          { error: (error as Error).message, buffered: this.buffer.length, retryInMs: this.retryDelayMs },
          'writing request records failed; they stay buffered and are retried',
        );
        return;
      }
    }
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
    return withTimeout(this.store.insert(batch), WRITE_TIMEOUT_MS);
  }

  private warnDropped(): void {
    const now = Date.now();
    if (now - this.lastDropWarning < DROP_WARNING_EVERY_MS) return;
    this.lastDropWarning = now;
    this.logger.error(
      { dropped: this.counts.dropped, bufferMaxRows: this.settings.bufferMaxRows },
      'request record buffer is full; new records are being dropped',
    );
  }
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from the database within ${ms} ms`)), ms);
  });
  work.catch(() => undefined); // an abandoned write may still fail later; nobody is waiting for it
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

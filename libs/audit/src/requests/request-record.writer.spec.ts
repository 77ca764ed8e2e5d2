import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueryFailedError } from 'typeorm';
import type { DataSource } from 'typeorm';
import { DatabaseAvailability, PersistenceSettings, SpillDirectory } from '@app/persistence';
import type { AuditSettings } from '../audit.config';
import type { RequestRecord } from './request-record';
import type { RequestRecordStore } from './request-record.store';
import { RequestRecordWriter } from './request-record.writer';

const unreachable = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

/**
 * A store that keeps what it is given, and fails while `failing` is set (as an unreachable database, or with
 * `failure` as another error); `alreadyStored` rows count as duplicates. It also answers the availability
 * probe, so that the database comes back when the store does.
 */
class FakeStore {
  readonly stored: string[] = [];
  readonly batches: number[] = [];
  failing = false;
  failure: () => Error = unreachable;
  alreadyStored = new Set<string>();

  async insert(batch: readonly RequestRecord[]): Promise<number> {
    if (this.failing) throw this.failure();
    if (batch.some((record) => record.request_id === 'poison')) {
      throw new QueryFailedError(
        'INSERT …',
        [],
        Object.assign(new Error('invalid input syntax for type inet'), { code: '22P02' }),
      );
    }
    this.batches.push(batch.length);
    const fresh = batch.filter((record) => !this.alreadyStored.has(record.request_id));
    this.stored.push(...fresh.map((record) => record.request_id));
    return fresh.length;
  }

  async query(): Promise<unknown> {
    if (this.failing) throw this.failure();
    return [{ '?column?': 1 }];
  }
}

const settings: AuditSettings = {
  flushIntervalMs: 200,
  batchSize: 3,
  bufferMaxRows: 5,
  shutdownFlushMs: 1_000,
  retentionDays: 90,
};
const record = (id: number) => ({ request_id: `r${id}` }) as RequestRecord;

describe('RequestRecordWriter', () => {
  let store: FakeStore;
  let database: DatabaseAvailability;
  let spillDir: string;
  let spill: SpillDirectory;
  let writer: RequestRecordWriter;
  let now: number;

  const persistence = (spillMaxBytes = 1 << 20) =>
    ({ databaseUrl: undefined, outageGraceMs: 600_000, spillDir, spillMaxBytes }) as PersistenceSettings;
  const makeWriter = (overrides: Partial<AuditSettings> = {}, directory = spill) =>
    new RequestRecordWriter(store as unknown as RequestRecordStore, database, directory, {
      ...settings,
      ...overrides,
    });

  beforeEach(() => {
    store = new FakeStore();
    database = new DatabaseAvailability(store as unknown as DataSource, persistence());
    spillDir = mkdtempSync(join(tmpdir(), 'writer-spill-'));
    spill = new SpillDirectory(persistence());
    writer = makeWriter();
    now = 1_000_000;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
  });

  afterEach(() => {
    jest.restoreAllMocks();
    database.onApplicationShutdown();
    rmSync(spillDir, { recursive: true, force: true });
  });

  it('writes a full batch at once and the rest on the next flush, in order', async () => {
    for (let i = 1; i <= 4; i++) writer.add(record(i));
    await writer.flush();
    expect(store.batches).toEqual([3, 1]);
    expect(store.stored).toEqual(['r1', 'r2', 'r3', 'r4']);
    expect(writer.stats).toMatchObject({ buffered: 0, written: 4, duplicates: 0, dropped: 0 });
  });

  it('writes a partial batch only when a flush is due: records that arrive during a write wait for it', async () => {
    for (let i = 1; i <= 4; i++) writer.add(record(i)); // r1–r3 fill a batch, written at once; r4 arrives meanwhile
    await new Promise(setImmediate);
    expect(store.batches).toEqual([3]);
    expect(writer.stats).toMatchObject({ buffered: 1, written: 3 });
    await writer.flush();
    expect(store.stored).toEqual(['r1', 'r2', 'r3', 'r4']);
  });

  it('keeps the rows of a failed write and retries them only after a backoff', async () => {
    store.failing = true;
    store.failure = () => new Error('deadlock detected');
    writer.add(record(1));
    await writer.flush();
    expect(writer.stats).toMatchObject({ buffered: 1, failedWrites: 1 });

    store.failing = false;
    await writer.flush();
    expect(store.stored).toEqual([]); // still backing off
    now += 250;
    await writer.flush();
    expect(store.stored).toEqual(['r1']);
    expect(writer.stats).toMatchObject({ buffered: 0, written: 1, failedWrites: 1 });
  });

  it('stops writing while the database is unreachable and writes everything once it answers again', async () => {
    store.failing = true;
    writer.add(record(1));
    await writer.flush();
    expect(database.reachable).toBe(false);
    writer.add(record(2));
    now += 60_000; // long past any backoff: still nothing is attempted until the database is back
    await writer.flush();
    expect(writer.stats).toMatchObject({ buffered: 2, failedWrites: 1 });

    store.failing = false;
    expect(await database.check()).toBe(true); // the probe's answer; recovery flushes
    await writer.flush();
    expect(store.stored).toEqual(['r1', 'r2']);
  });

  it('counts rows a retried write found already stored as duplicates, not as written', async () => {
    store.alreadyStored.add('r1');
    writer.add(record(1));
    writer.add(record(2));
    await writer.flush();
    expect(writer.stats).toMatchObject({ written: 1, duplicates: 1 });
  });

  it('drops only the row the database refuses, and writes the rest of its batch', async () => {
    writer.add(record(1));
    writer.add({ request_id: 'poison' } as RequestRecord);
    writer.add(record(3));
    await writer.flush();
    expect(store.stored).toEqual(['r1', 'r3']);
    expect(writer.stats).toMatchObject({ buffered: 0, written: 2, duplicates: 0, dropped: 1, failedWrites: 0 });
  });

  it('spills the oldest batch to disk when the buffer is full, and writes memory then disk once the database is back', async () => {
    store.failing = true;
    await database.check();
    for (let i = 1; i <= 12; i++) writer.add(record(i));
    expect(writer.stats).toMatchObject({ buffered: 3, spilled: 9, dropped: 0 });
    expect(readdirSync(spill.path)).toHaveLength(3);

    store.failing = false;
    await database.check();
    await writer.flush();
    expect(store.stored).toEqual(['r10', 'r11', 'r12', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9']);
    expect(writer.stats).toMatchObject({ buffered: 0, spilled: 0, written: 12, dropped: 0 });
    expect(readdirSync(spill.path)).toHaveLength(0);
  });

  it('drops and counts records only when the spill directory is full too', async () => {
    const cramped = makeWriter({}, new SpillDirectory(persistence(40)));
    store.failing = true;
    await database.check();
    for (let i = 1; i <= 7; i++) cramped.add(record(i));
    expect(cramped.stats).toMatchObject({ buffered: 5, spilled: 0, dropped: 2 });
  });

  it('writes everything at shutdown, waiting out a backoff', async () => {
    jest.restoreAllMocks(); // real time: shutdown sleeps until the retry is due
    store.failing = true;
    store.failure = () => new Error('deadlock detected');
    writer.add(record(1));
    await writer.flush();
    store.failing = false;
    await writer.onApplicationShutdown();
    expect(store.stored).toEqual(['r1']);
    expect(writer.stats).toMatchObject({ buffered: 0, dropped: 0 });
  });

  it('leaves what it could not write at shutdown on disk, and the next start writes it', async () => {
    store.failing = true;
    writer.add(record(1));
    writer.add(record(2));
    await writer.flush();
    await writer.onApplicationShutdown();
    expect(writer.stats).toMatchObject({ buffered: 0, spilled: 2, dropped: 0 });

    store.failing = false;
    await database.check();
    const next = makeWriter({}, new SpillDirectory(persistence()));
    expect(next.stats).toMatchObject({ buffered: 0, spilled: 2 });
    await next.flush();
    expect(store.stored).toEqual(['r1', 'r2']);
    expect(next.stats).toMatchObject({ spilled: 0, written: 2 });
  });
});

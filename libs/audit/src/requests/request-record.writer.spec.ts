import { QueryFailedError } from 'typeorm';
import type { AuditSettings } from '../audit.config';
import type { RequestRecord } from './request-record';
import type { RequestRecordStore } from './request-record.store';
import { RequestRecordWriter } from './request-record.writer';

/** A store that keeps what it is given, and fails while `failing` is set; `alreadyStored` rows count as duplicates. */
class FakeStore {
  readonly stored: string[] = [];
  readonly batches: number[] = [];
  failing = false;
  alreadyStored = new Set<string>();

  async insert(batch: readonly RequestRecord[]): Promise<number> {
    if (this.failing) throw new Error('connection refused');
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
  let writer: RequestRecordWriter;
  let now: number;

  beforeEach(() => {
    store = new FakeStore();
    writer = new RequestRecordWriter(store as unknown as RequestRecordStore, settings);
    now = 1_000_000;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
  });

  afterEach(() => jest.restoreAllMocks());

  it('writes a full batch at once and the rest on the next flush, in order', async () => {
    for (let i = 1; i <= 4; i++) writer.add(record(i));
    await writer.flush();
    expect(store.batches).toEqual([3, 1]);
    expect(store.stored).toEqual(['r1', 'r2', 'r3', 'r4']);
    expect(writer.stats).toMatchObject({ buffered: 0, written: 4, duplicates: 0, dropped: 0 });
  });

  it('keeps the rows of a failed write and retries them only after a backoff', async () => {
    store.failing = true;
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

  it('drops and counts records beyond the buffer cap while the database is down', async () => {
    store.failing = true;
    for (let i = 1; i <= 7; i++) writer.add(record(i));
    await writer.flush();
    expect(writer.stats).toMatchObject({ buffered: 5, dropped: 2 });
    store.failing = false;
    now += 10_000;
    await writer.flush();
    expect(store.stored).toEqual(['r1', 'r2', 'r3', 'r4', 'r5']);
  });

  it('writes everything at shutdown, waiting out a backoff', async () => {
    jest.restoreAllMocks(); // real time: shutdown sleeps until the retry is due
    store.failing = true;
    writer.add(record(1));
    await writer.flush();
    store.failing = false;
    await writer.onApplicationShutdown();
    expect(store.stored).toEqual(['r1']);
    expect(writer.stats).toMatchObject({ buffered: 0, dropped: 0 });
  });

  it('counts what it could not write before the shutdown deadline as dropped', async () => {
    const impatient = new RequestRecordWriter(store as unknown as RequestRecordStore, {
      ...settings,
      shutdownFlushMs: 0,
    });
    store.failing = true;
    impatient.add(record(1));
    impatient.add(record(2));
    await impatient.onApplicationShutdown();
    expect(impatient.stats).toMatchObject({ buffered: 0, dropped: 2 });
  });
});

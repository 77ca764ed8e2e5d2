import { Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { AlertsConfig } from '@app/common';
import type { DatabaseAvailability } from '@app/persistence';
import type { NewAlert } from './alert';
import type { alertsConfig } from './alerts.config';
import { AlertsService } from './alerts.service';
import { AlertsStats } from './alerts-stats';
import type { AlertStore } from './outbox/alert.store';

const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
const alert = (n: number): NewAlert => ({
  kind: 'new_ip',
  subject: { type: 'key', id: `key-${n}` },
  details: { ip: `192.0.2.${n}` },
  dedupe_key: `new_ip:${n}`,
});

/** The database's outage as AlertsService sees it: a reachability flag and its recovery callback. */
function harness(bufferMax: number) {
  let reachable = true;
  let failNext = false;
  let recover = () => undefined as void;
  const stored: Array<{ key: string; createdAt: Date }> = [];
  const store = {
    insert: jest.fn(async (raised: NewAlert, createdAt: Date) => {
      if (!reachable || failNext) {
        failNext = false;
        throw refused();
      }
      if (stored.some((row) => row.key === raised.dedupe_key)) return null;
      stored.push({ key: raised.dedupe_key, createdAt });
      return `id-${stored.length}`;
    }),
  };
  const database = {
    get reachable() {
      return reachable;
    },
    noteFailure: (error: unknown) => (error as { code?: string }).code === 'ECONNREFUSED' && !(reachable = false),
    onRecovery: (listener: () => void) => (recover = listener),
  };
  let now = new Date('2026-12-01T10:00:00Z');
  const clock = { now: () => now };
  const stats = new AlertsStats();
  const config: AlertsConfig = {
    webhooks: [],
    budget_thresholds: [50, 80, 100],
    anomaly: {} as AlertsConfig['anomaly'],
  };
  const service = new AlertsService(
    store as unknown as AlertStore,
    { current: () => config },
    clock,
    database as unknown as DatabaseAvailability,
    stats,
    { raiseBufferMax: bufferMax } as ConfigType<typeof alertsConfig>,
  );
  service.onModuleInit();
  return {
    service,
    stored,
    stats,
    down: () => (reachable = false),
    /** The next statement fails for lack of a connection, as when the database goes away mid-way. */
    failNextInsert: () => (failNext = true),
    up: async () => {
      reachable = true;
      recover();
      await new Promise((resolve) => setImmediate(resolve));
    },
    advance: (ms: number) => (now = new Date(now.getTime() + ms)),
  };
}

describe('AlertsService.raise while Postgres is unreachable', () => {
  let errors: jest.SpyInstance;

  beforeEach(() => {
    errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('never throws: holds the alert with the time it was raised and stores it once the database is back', async () => {
    const h = harness(10);
    h.down();
    const raisedAt = new Date('2026-12-01T10:00:00Z');
    await expect(h.service.raise(alert(1))).resolves.toBe('buffered');
    h.advance(60_000);
    await h.up();
    expect(h.stored).toEqual([{ key: 'new_ip:1', createdAt: raisedAt }]);
    expect(h.service.backlog).toBe(0);
    expect(h.stats.raised.new_ip).toBe(1);
  });

  it('holds an alert whose insert failed for lack of a connection, and stores it once', async () => {
    const h = harness(10);
    h.failNextInsert();
    await expect(h.service.raise(alert(2))).resolves.toBe('buffered');
    await h.up();
    await expect(h.service.raise(alert(2))).resolves.toBe('duplicate');
    expect(h.stored.map((row) => row.key)).toEqual(['new_ip:2']);
  });

  it('drops (counted and logged) what does not fit the buffer', async () => {
    const h = harness(2);
    h.down();
    const outcomes = [];
    for (let n = 0; n < 4; n++) outcomes.push(await h.service.raise(alert(n)));
    expect(outcomes).toEqual(['buffered', 'buffered', 'dropped', 'dropped']);
    expect(h.stats.dropped).toBe(2);
    expect(errors).toHaveBeenCalledWith(
      expect.objectContaining({ dedupeKey: 'new_ip:2' }),
      'alert dropped: the database is unreachable and the alert buffer is full',
    );
    await h.up();
    expect(h.stored.map((row) => row.key)).toEqual(['new_ip:0', 'new_ip:1']);
  });

  it('refuses an alert of an unknown kind without throwing', async () => {
    const h = harness(2);
    await expect(h.service.raise({ ...alert(9), kind: 'coffee' as never })).resolves.toBe('dropped');
    expect(h.stored).toEqual([]);
  });
});

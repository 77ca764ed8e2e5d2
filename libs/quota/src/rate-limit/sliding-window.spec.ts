import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { RedisSlidingWindow } from './redis-sliding-window';
import { MemorySlidingWindow, SlidingWindowCounter } from './sliding-window';

const MINUTE = 60_000;

/** The same contract for the in-memory and the Redis implementation. */
function behavesAsASlidingWindow(name: string, make: () => SlidingWindowCounter) {
  describe(name, () => {
    let counter: SlidingWindowCounter;
    let key: string;
    beforeEach(() => {
      counter = make();
      key = `test:${randomBytes(6).toString('hex')}`;
    });
    const hit = (now: number, limit = 3, weight = 1, k = key) =>
      counter.consume([{ key: k, limit, windowMs: MINUTE, weight }], now);

    it('admits at most the limit in any window, also across a minute boundary', async () => {
      // A fixed window would admit 3 at 59 s and 3 more at 61 s.
      for (const t of [59_000, 59_500, 59_900]) expect((await hit(t)).allowed).toBe(true);
      expect((await hit(61_000)).allowed).toBe(false);
      expect((await hit(118_999)).allowed).toBe(false);
      expect((await hit(119_000)).allowed).toBe(true);
    });

    it('reports when the request would fit and when the window is empty again', async () => {
      await hit(0);
      await hit(10_000);
      await hit(20_000);
      const refused = await hit(30_000);
      expect(refused.windows[0]).toEqual({ used: 3, retryAfterMs: 30_000, resetMs: 50_000 });
      const admitted = await hit(60_000);
      expect(admitted).toEqual({ allowed: true, windows: [{ used: 3, retryAfterMs: 0, resetMs: 60_000 }] });
    });

    it('counts weights, frees enough of the oldest weight for a retry, and never fits what exceeds the limit', async () => {
      expect((await hit(0, 100, 60)).allowed).toBe(true);
      expect((await hit(1_000, 100, 30)).allowed).toBe(true);
      const refused = await hit(2_000, 100, 50);
      expect(refused.windows[0].retryAfterMs).toBe(58_000);
      expect((await hit(2_000, 100, 101)).windows[0].retryAfterMs).toBe(Number.POSITIVE_INFINITY);
      expect((await hit(60_000, 100, 50)).allowed).toBe(true);
    });

    it('decides concurrent requests one after the other, as separate calls in that order would', async () => {
      const results = await Promise.all(Array.from({ length: 5 }, (_, i) => hit(1_000 + i)));
      expect(results.map((r) => r.allowed)).toEqual([true, true, true, false, false]);
      expect(results.map((r) => r.windows[0].used)).toEqual([1, 2, 3, 3, 3]);
      // More at once than one Redis call decides: still exactly the limit.
      const many = await Promise.all(Array.from({ length: 100 }, () => hit(2_000, 70, 1, `${key}:many`)));
      expect(many.filter((r) => r.allowed)).toHaveLength(70);
      expect(many.map((r) => r.allowed)).toEqual([...Array(70).fill(true), ...Array(30).fill(false)]);
    });

    it('records a request in every window or in none', async () => {
      const other = `${key}:other`;
      const both = (now: number) =>
        counter.consume(
          [
            { key, limit: 5, windowMs: MINUTE, weight: 1 },
            { key: other, limit: 1, windowMs: MINUTE, weight: 1 },
          ],
          now,
        );
      expect((await both(0)).allowed).toBe(true);
      const refused = await both(1);
      expect(refused.allowed).toBe(false);
      expect(refused.windows.map((w) => w.used)).toEqual([1, 1]);
      expect((await hit(2, 5)).windows[0].used).toBe(2);
    });
  });
}

behavesAsASlidingWindow('MemorySlidingWindow', () => new MemorySlidingWindow());

describe('with Redis', () => {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
  });
  afterAll(() => redis.quit());
  behavesAsASlidingWindow('RedisSlidingWindow', () => new RedisSlidingWindow(redis));

  it('holds a limit exactly for two instances sending batches at once', async () => {
    const other = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
    });
    try {
      const instances = [new RedisSlidingWindow(redis), new RedisSlidingWindow(other)];
      const key = `test:${randomBytes(6).toString('hex')}`;
      const checks = [
        { key, limit: 70, windowMs: MINUTE, weight: 1 },
        { key: `${key}:tokens`, limit: 1_000, windowMs: MINUTE, weight: 10 },
      ];
      const results = await Promise.all(
        Array.from({ length: 120 }, (_, i) => instances[i % 2].consume(checks, 1_000 + i)),
      );
      expect(results.filter((r) => r.allowed)).toHaveLength(70);
      const last = await instances[0].consume(checks, 2_000);
      expect(last.windows.map((w) => w.used)).toEqual([70, 700]);
    } finally {
      await other.quit();
    }
  });

  it('keeps the layout earlier versions read (a sorted set of "<id>:<weight>" and its "<key>:sum"), so both share windows during a rolling deploy', async () => {
    const key = `test:${randomBytes(6).toString('hex')}`;
    const window = new RedisSlidingWindow(redis);
    await Promise.all(
      [1_000, 1_001, 1_002].map((now, i) =>
        window.consume([{ key, limit: 100, windowMs: MINUTE, weight: i + 2 }], now),
      ),
    );
    expect(await redis.get(`${key}:sum`)).toBe('9');
    const members = await redis.zrange(key, 0, -1, 'WITHSCORES');
    expect(members.filter((_, i) => i % 2 === 1)).toEqual(['1000', '1001', '1002']);
    const ids = members.filter((_, i) => i % 2 === 0).map((member) => /^([0-9a-f]{8}\.\d+):(\d+)$/.exec(member));
    expect(ids.map((match) => match?.[2])).toEqual(['2', '3', '4']);
    expect(new Set(ids.map((match) => match?.[1])).size).toBe(3);
  });
});

describe('MemorySlidingWindow.sweep', () => {
  it('forgets windows with nothing left in them and keeps live ones', async () => {
    const counter = new MemorySlidingWindow();
    const check = (key: string) => [{ key, limit: 1, windowMs: MINUTE, weight: 1 }];
    await counter.consume(check('old'), 0);
    await counter.consume(check('live'), 30_000);
    counter.sweep(MINUTE);
    expect([...(counter as unknown as { logs: Map<string, unknown> }).logs.keys()]).toEqual(['live']);
    expect((await counter.consume(check('live'), MINUTE)).allowed).toBe(false);
  });
});

describe('RedisSlidingWindow when the call fails', () => {
  it('fails each request of the batch, whether the call rejects or throws', async () => {
    const failing = (fail: () => Promise<number[]>) => {
      const redis = { defineCommand: () => undefined, slidingWindow: fail } as unknown as Redis;
      return new RedisSlidingWindow(redis);
    };
    const check = [{ key: 'k', limit: 1, windowMs: MINUTE, weight: 1 }];
    const rejecting = failing(() => Promise.reject(new Error('timed out')));
    await expect(Promise.all([rejecting.consume(check, 0), rejecting.consume(check, 0)])).rejects.toThrow('timed out');
    const throwing = failing(() => {
      throw new Error('not writable');
    });
    const results = await Promise.allSettled([throwing.consume(check, 0), throwing.consume(check, 0)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });
});

import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { RedisSlidingWindow } from './redis-sliding-window';
import { RETRY_WALK_LIMIT } from './sliding-window.lua';
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

    it('counts requests of one batch and one millisecond, and forgets many entries at once', async () => {
      // Many requests at the same time (Redis keeps them as one entry), with different weights.
      const same = await Promise.all([5, 1, 3, 2].map((weight) => hit(1_000, 10, weight)));
      expect(same.map((r) => r.allowed)).toEqual([true, true, true, false]);
      expect(same.map((r) => r.windows[0].used)).toEqual([5, 6, 9, 9]);
      // 150 entries at distinct times (more than Redis reads at once), then most of them leave together.
      const many = `${key}:many`;
      for (let t = 0; t < 150; t += 15)
        await Promise.all(Array.from({ length: 15 }, (_, i) => hit(2_000 + t + i, 1_000, 2, many)));
      const later = await hit(2_000 + MINUTE + 99, 1_000, 1, many);
      expect(later.windows[0]).toEqual({ used: 101, retryAfterMs: 0, resetMs: MINUTE });
      expect((await hit(2_000 + 3 * MINUTE, 1_000, 1, many)).windows[0].used).toBe(1);
    });

    it("records a request whose clock is behind the newest entry at that entry's time: it leaves later, never earlier", async () => {
      expect((await hit(10_000, 2)).allowed).toBe(true);
      const behind = await hit(9_000, 2);
      expect(behind).toEqual({ allowed: true, windows: [{ used: 2, retryAfterMs: 0, resetMs: 61_000 }] });
      // Had it been recorded at 9,000, one request would have left the window by 69,500.
      const refused = await hit(69_500, 2);
      expect(refused.windows[0]).toEqual({ used: 2, retryAfterMs: 500, resetMs: 500 });
      expect((await hit(70_000, 2)).windows[0].used).toBe(1);
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

  it('keeps a window as one list under "<key>:log" (its state, then one entry per millisecond) that expires one window after the last admission', async () => {
    const key = `test:${randomBytes(6).toString('hex')}`;
    const window = new RedisSlidingWindow(redis);
    const consume = (now: number, weight: number) =>
      window.consume([{ key, limit: 100, windowMs: MINUTE, weight }], now);
    await Promise.all([consume(1_000, 2), consume(1_000, 3), consume(1_002, 4)]);
    await consume(1_002, 1);
    expect(await redis.lrange(`${key}:log`, 0, -1)).toEqual(['10 2 1002 5', '1000 5', '1002 5']);
    const ttl = await redis.pttl(`${key}:log`);
    expect(ttl).toBeGreaterThan(MINUTE - 5_000);
    expect(ttl).toBeLessThanOrEqual(MINUTE);
    // A refusal does not extend it; once everything has left the window, the key is gone.
    await redis.pexpire(`${key}:log`, 30_000);
    expect((await consume(2_000, 101)).allowed).toBe(false);
    expect(await redis.pttl(`${key}:log`)).toBeLessThanOrEqual(30_000);
    expect((await consume(1_002 + MINUTE, 101)).allowed).toBe(false);
    expect(await redis.exists(`${key}:log`)).toBe(0);
  });

  it('leaves the keys of earlier versions (a sorted set at the key, its "<key>:sum") alone during a rolling deploy', async () => {
    const key = `test:${randomBytes(6).toString('hex')}`;
    await redis.zadd(key, 1_000, 'a1b2c3d4.1:1');
    await redis.set(`${key}:sum`, '1');
    const decision = await new RedisSlidingWindow(redis).consume(
      [{ key, limit: 1, windowMs: MINUTE, weight: 1 }],
      1_000,
    );
    expect(decision).toEqual({ allowed: true, windows: [{ used: 1, retryAfterMs: 0, resetMs: MINUTE }] });
    expect(await redis.zrange(key, 0, -1)).toEqual(['a1b2c3d4.1:1']);
    expect(await redis.get(`${key}:sum`)).toBe('1');
    await redis.del(key, `${key}:sum`);
  });

  it(`walks at most ${RETRY_WALK_LIMIT} entries for a retry-after; past them it answers when the window empties`, async () => {
    const key = `test:${randomBytes(6).toString('hex')}`;
    const window = new RedisSlidingWindow(redis);
    const memory = new MemorySlidingWindow();
    const count = RETRY_WALK_LIMIT + 50;
    const check = (weight: number) => [{ key, limit: count, windowMs: MINUTE, weight }];
    for (let t = 0; t < count; t += 25) {
      const times = Array.from({ length: Math.min(25, count - t) }, (_, i) => t + i);
      await Promise.all(times.map((now) => window.consume(check(1), now)));
      times.forEach((now) => memory.decide(check(1), now));
    }
    // Within the walk: exact, as in memory.
    const near = await window.consume(check(RETRY_WALK_LIMIT), count);
    expect(near.windows[0].retryAfterMs).toBe(memory.decide(check(RETRY_WALK_LIMIT), count).windows[0].retryAfterMs);
    // Past it: when the newest entry leaves, a little later than the exact answer.
    const far = await window.consume(check(RETRY_WALK_LIMIT + 10), count);
    const exact = memory.decide(check(RETRY_WALK_LIMIT + 10), count).windows[0].retryAfterMs;
    expect(far.windows[0].retryAfterMs).toBe(count - 1 + MINUTE - count);
    expect(far.windows[0].retryAfterMs).toBeGreaterThan(exact);
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

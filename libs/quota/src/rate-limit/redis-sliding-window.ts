import type Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { SlidingWindowCounter, WindowCheck, WindowDecision } from './sliding-window';
import { SLIDING_WINDOW_LUA } from './sliding-window.lua';

type SlidingWindowRedis = Redis & {
  slidingWindow(keyCount: number, ...args: Array<string | number>): Promise<number[]>;
};

/** Windows shared by every instance, in one Redis (not Redis Cluster: a check spans several keys). */
export class RedisSlidingWindow implements SlidingWindowCounter {
  private readonly redis: SlidingWindowRedis;
  /** Makes sorted-set members unique across instances and requests. */
  private readonly instance = randomBytes(4).toString('hex');
  private sequence = 0;

  constructor(redis: Redis) {
    redis.defineCommand('slidingWindow', { lua: SLIDING_WINDOW_LUA });
    this.redis = redis as SlidingWindowRedis;
  }

  async consume(checks: readonly WindowCheck[], now: number): Promise<WindowDecision> {
    const keys = checks.flatMap((check) => [check.key, `${check.key}:sum`]);
    const args = checks.flatMap((check) => [check.windowMs, check.limit, check.weight]);
    const reply = await this.redis.slidingWindow(keys.length, ...keys, now, `${this.instance}.${++this.sequence}`, ...args);
    return {
      allowed: reply[0] === 1,
      windows: checks.map((_check, i) => {
        const [used, retryAfterMs, resetMs] = reply.slice(1 + 3 * i, 4 + 3 * i);
        return { used, retryAfterMs: retryAfterMs < 0 ? Number.POSITIVE_INFINITY : retryAfterMs, resetMs };
      }),
    };
  }
}

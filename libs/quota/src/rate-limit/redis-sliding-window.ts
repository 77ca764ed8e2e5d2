import type Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { SlidingWindowCounter, WindowCheck, WindowDecision, WindowState } from './sliding-window';
import { SLIDING_WINDOW_LUA } from './sliding-window.lua';

type SlidingWindowRedis = Redis & {
  slidingWindow(keyCount: number, keys: string[], args: Array<string | number>): Promise<number[]>;
};

/** Most requests decided by one script call: bounds how long one call keeps Redis busy. */
const MAX_BATCH = 32;
/** Request sequence numbers restart below this: Lua writes numbers with 14 significant digits. */
const SEQUENCE_WRAP = 1e12;

interface Pending {
  checks: readonly WindowCheck[];
  now: number;
  resolve: (decision: WindowDecision) => void;
  reject: (error: unknown) => void;
}

/**
 * Windows shared by every instance, in one Redis (not Redis Cluster: a check spans several keys).
 *
 * Requests that arrive in the same turn of the event loop are decided by one script call, in arrival
 * order, each exactly as its own call would: one command, one write and one reply for all of them, which
 * costs the gateway and Redis far less per request than a call each (or ioredis' auto-pipelining, which
 * still builds a command, a promise chain and a reply per request). A failed call fails each of its requests.
 *
 * The command is laid out to be short, since ioredis builds it one argument at a time (about 150 bytes of
 * strings each): a window's running total is found by the script from the window's key (`<key>:sum`), a
 * window's length, limit and weight go as one argument, and the batch's requests are numbered from one
 * sequence number sent once, not each given its own id.
 */
export class RedisSlidingWindow implements SlidingWindowCounter {
  private readonly redis: SlidingWindowRedis;
  /** Makes sorted-set members unique across instances and requests. */
  private readonly instance = `${randomBytes(4).toString('hex')}.`;
  private sequence = 0;
  private queue: Pending[] = [];

  constructor(redis: Redis) {
    redis.defineCommand('slidingWindow', { lua: SLIDING_WINDOW_LUA });
    this.redis = redis as SlidingWindowRedis;
  }

  consume(checks: readonly WindowCheck[], now: number): Promise<WindowDecision> {
    return new Promise((resolve, reject) => {
      if (this.queue.push({ checks, now, resolve, reject }) === 1) setImmediate(this.flush);
    });
  }

  private readonly flush = (): void => {
    const queue = this.queue;
    this.queue = [];
    for (let start = 0; start < queue.length; start += MAX_BATCH) this.send(queue.slice(start, start + MAX_BATCH));
  };

  private send(batch: readonly Pending[]): void {
    if (this.sequence + batch.length >= SEQUENCE_WRAP) this.sequence = 0;
    const keys: string[] = [];
    const args: Array<string | number> = [this.instance, this.sequence + 1];
    this.sequence += batch.length;
    for (const { checks, now } of batch) {
      args.push(now, checks.length);
      for (const check of checks) {
        keys.push(check.key);
        args.push(`${check.windowMs} ${check.limit} ${check.weight}`);
      }
    }
    let call: Promise<number[]>;
    try {
      call = this.redis.slidingWindow(keys.length, keys, args);
    } catch (error) {
      // Outside any caller's stack (a setImmediate callback): a synchronous throw must reach the callers too.
      call = Promise.reject(error);
    }
    call.then(
      (reply) => {
        let at = 0;
        for (const { checks, resolve } of batch) {
          const allowed = reply[at++] === 1;
          const windows = new Array<WindowState>(checks.length);
          for (let i = 0; i < checks.length; i++, at += 3) {
            const retryAfterMs = reply[at + 1];
            windows[i] = {
              used: reply[at],
              retryAfterMs: retryAfterMs < 0 ? Number.POSITIVE_INFINITY : retryAfterMs,
              resetMs: reply[at + 2],
            };
          }
          resolve({ allowed, windows });
        }
      },
      (error: unknown) => {
        for (const { reject } of batch) reject(error);
      },
    );
  }
}

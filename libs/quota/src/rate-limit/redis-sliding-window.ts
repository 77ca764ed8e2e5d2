import type Redis from 'ioredis';
import { SlidingWindowCounter, WindowCheck, WindowDecision, WindowState } from './sliding-window';
import { SLIDING_WINDOW_LUA } from './sliding-window.lua';
import { packNumbers } from './packed-numbers';

type SlidingWindowRedis = Redis & {
  slidingWindow(keyCount: number, keys: string[], numbers: Buffer): Promise<number[]>;
};

/** Most requests decided by one script call: bounds how long one call keeps Redis busy. */
const MAX_BATCH = 32;

interface Pending {
  checks: readonly WindowCheck[];
  now: number;
  resolve: (decision: WindowDecision) => void;
  reject: (error: unknown) => void;
}

/**
 * A window's Redis key: a LIST (see SLIDING_WINDOW_LUA), under its own suffix so that instances of earlier
 * versions (a sorted set at `<key>` and its total at `<key>:sum`) never meet a key of another type during a
 * rolling deploy. Until every instance runs this layout, old and new ones count separately: for one window
 * length a limit can admit up to its value on each side.
 */
function windowKey(key: string): string {
  return `${key}:log`;
}

/**
 * Windows shared by every instance, in one Redis (not Redis Cluster: a check spans several keys).
 *
 * Requests that arrive in the same turn of the event loop are decided by one script call, in arrival
 * order, each exactly as its own call would: one command, one write and one reply for all of them, which
 * costs the gateway and Redis far less per request than a call each (or ioredis' auto-pipelining, which
 * still builds a command, a promise chain and a reply per request). The script reads and writes each
 * window once per call, so Redis' cost grows with the windows a batch touches, not with its requests.
 * A failed call fails each of its requests.
 *
 * The command is laid out to be short, since ioredis builds it one argument at a time (about 150 bytes of
 * strings each): each window's key goes once per batch, however many of its requests share it, and every
 * number (per request its time and windows, per window its key's index, length, limit and weight) goes in
 * one packed argument.
 */
export class RedisSlidingWindow implements SlidingWindowCounter {
  private readonly redis: SlidingWindowRedis;
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
    const keys: string[] = [];
    /** KEYS index (1-based, as Lua counts) by window key. */
    const indexOf = new Map<string, number>();
    const numbers: number[] = [];
    for (const { checks, now } of batch) {
      numbers.push(now, checks.length);
      for (const check of checks) {
        let index = indexOf.get(check.key);
        if (index === undefined) {
          index = keys.push(windowKey(check.key));
          indexOf.set(check.key, index);
        }
        numbers.push(index, check.windowMs, check.limit, check.weight);
      }
    }
    let call: Promise<number[]>;
    try {
      call = this.redis.slidingWindow(keys.length, keys, packNumbers(numbers));
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

/**
 * Sliding-log rate limiting: a window remembers each admitted request's time and weight, so "at most
 * `limit` in any `windowMs`" holds exactly — unlike a fixed window, which lets twice the limit through
 * around a boundary. A request is checked against several windows (key, project, team; requests and
 * tokens) at once and recorded in all of them or in none.
 */
export interface WindowCheck {
  key: string;
  /** Most weight admitted in any `windowMs`. */
  limit: number;
  windowMs: number;
  /** 1 for a request; its estimated tokens for a tokens window. */
  weight: number;
}

export interface WindowState {
  /** Weight in the window after the decision (this request included when admitted). */
  used: number;
  /** How long until enough weight leaves the window for this request to fit; 0 when it fits. */
  retryAfterMs: number;
  /** How long until the window is empty again. */
  resetMs: number;
}

export interface WindowDecision {
  allowed: boolean;
  /** In the order of the checks. */
  windows: WindowState[];
}

export interface SlidingWindowCounter {
  consume(checks: readonly WindowCheck[], now: number): Promise<WindowDecision>;
}

/** Entries with their time, oldest first: the in-memory form of one window. */
interface Log {
  at: number[];
  weight: number[];
  head: number;
  total: number;
  windowMs: number;
}

/** One instance's windows in memory: exact for a single instance, and the fail-open fallback for several. */
export class MemorySlidingWindow implements SlidingWindowCounter {
  private readonly logs = new Map<string, Log>();

  consume(checks: readonly WindowCheck[], now: number): Promise<WindowDecision> {
    return Promise.resolve(this.decide(checks, now));
  }

  /** `consume`, synchronously. */
  decide(checks: readonly WindowCheck[], now: number): WindowDecision {
    const logs = new Array<Log>(checks.length);
    let allowed = true;
    for (let i = 0; i < checks.length; i++) {
      const log = (logs[i] = this.evicted(checks[i], now));
      if (log.total + checks[i].weight > checks[i].limit) allowed = false;
    }
    if (allowed) {
      for (let i = 0; i < checks.length; i++) {
        const weight = checks[i].weight;
        // Entries stay in time order: a `now` older than the newest entry (another instance's clock, in Redis)
        // is recorded at the newest entry's time, so it leaves the window later, never earlier.
        logs[i].at.push(Math.max(now, logs[i].at[logs[i].at.length - 1] ?? now));
        logs[i].weight.push(weight);
        logs[i].total += weight;
      }
    }
    const windows = new Array<WindowState>(checks.length);
    for (let i = 0; i < checks.length; i++) windows[i] = stateOf(logs[i], checks[i], now, allowed);
    return { allowed, windows };
  }

  /** Forgets windows with nothing left in them; called periodically to bound memory. */
  sweep(now: number): void {
    for (const [key, log] of this.logs) {
      const newest = log.at[log.at.length - 1];
      if (newest === undefined || newest <= now - log.windowMs) this.logs.delete(key);
    }
  }

  private evicted(check: WindowCheck, now: number): Log {
    let log = this.logs.get(check.key);
    if (!log) {
      log = { at: [], weight: [], head: 0, total: 0, windowMs: check.windowMs };
      this.logs.set(check.key, log);
    }
    const cutoff = now - check.windowMs;
    while (log.head < log.at.length && log.at[log.head] <= cutoff) log.total -= log.weight[log.head++];
    if (log.head > 1_024 && log.head * 2 > log.at.length) {
      log.at = log.at.slice(log.head);
      log.weight = log.weight.slice(log.head);
      log.head = 0;
    }
    return log;
  }
}

function stateOf(log: Log, check: WindowCheck, now: number, admitted: boolean): WindowState {
  const newest = log.at[log.at.length - 1];
  const resetMs = newest === undefined ? 0 : Math.max(0, newest + check.windowMs - now);
  if (admitted || log.total + check.weight <= check.limit) return { used: log.total, retryAfterMs: 0, resetMs };
  if (check.weight > check.limit) return { used: log.total, retryAfterMs: Number.POSITIVE_INFINITY, resetMs };
  const excess = log.total + check.weight - check.limit;
  let freed = 0;
  let i = log.head;
  while (freed < excess) freed += log.weight[i++];
  return { used: log.total, retryAfterMs: log.at[i - 1] + check.windowMs - now, resetMs };
}

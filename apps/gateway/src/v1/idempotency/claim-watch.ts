import type { ServerResponse } from 'node:http';

/**
 * Wakes the requests waiting on a claim the moment the request holding it on this instance is answered, so
 * that a repeat sent to the same instance replays without polling delay. Waiters on other instances are not
 * woken: they poll (IdempotentRequests), which is all two instances sharing only Postgres can do cheaply.
 */
export class ClaimWatch {
  private readonly waiters = new Map<string, Set<() => void>>();
  /** Pairs whose claim a request on this instance holds: their waiters need no polling. */
  private readonly held = new Set<string>();

  /** A request here took the claim on `pair`; `settled` ends it. */
  holding(pair: string): void {
    this.held.add(pair);
  }

  /** True while a request on this instance holds `pair`: it will wake the waiters when answered. */
  holdsHere(pair: string): boolean {
    return this.held.has(pair);
  }

  /** Resolves after `ms`, when `pair` is settled here, or when the waiting client's response closes. */
  wait(pair: string, ms: number, response: ServerResponse): Promise<void> {
    return new Promise((resolve) => {
      const waiters = this.waiters.get(pair) ?? new Set<() => void>();
      this.waiters.set(pair, waiters);
      const done = () => {
        clearTimeout(timer);
        response.off('close', done);
        waiters.delete(done);
        if (waiters.size === 0 && this.waiters.get(pair) === waiters) this.waiters.delete(pair);
        resolve();
      };
      const timer = setTimeout(done, ms);
      response.once('close', done);
      waiters.add(done);
    });
  }

  /** The request holding `pair` here has been answered (its answer kept or its claim released). */
  settled(pair: string): void {
    this.held.delete(pair);
    for (const wake of [...(this.waiters.get(pair) ?? [])]) wake();
  }
}

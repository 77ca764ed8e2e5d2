import type { ServerResponse } from 'node:http';

/**
 * Wakes the requests waiting on a claim the moment the request holding it on this instance is answered, so
 * that a repeat sent to the same instance replays without polling delay. Waiters on other instances are not
 * woken: they poll (IdempotentRequests), which is all two instances sharing only Postgres can do cheaply.
 */
export class ClaimWatch {
  private readonly waiters = new Map<string, Set<() => void>>();

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
    for (const wake of [...(this.waiters.get(pair) ?? [])]) wake();
  }
}

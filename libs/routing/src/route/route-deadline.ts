import { totalTimeError } from './route-failure';

/** A request's total-time limit: one clock across every attempt, backoff and, for a stream, its relay. */
export class RouteDeadline {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly startedAt = performance.now();

  constructor(
    readonly totalMs: number,
    onExpired: () => void,
  ) {
    this.timer = setTimeout(() => {
      this.controller.abort(totalTimeError(totalMs));
      onExpired();
    }, totalMs);
  }

  /** Aborted, with an `upstream_timeout` error as reason, when the time is up. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get expired(): boolean {
    return this.controller.signal.aborted;
  }

  get remainingMs(): number {
    return Math.max(0, this.totalMs - (performance.now() - this.startedAt));
  }

  clear(): void {
    clearTimeout(this.timer);
  }
}

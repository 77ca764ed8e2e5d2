import { CancelSignal, CancelSource } from '@app/common';
import { totalTimeError } from './route-failure';

/**
 * A request's total-time limit: one clock across every attempt, backoff and, for a stream, its relay.
 *
 * Its `signal` is the walk's: aborted when the caller's signal aborts (the client left; its reason passes
 * through) or when the time is up (`upstream_timeout`), whichever comes first. A `CancelSource`, a listener
 * on the caller's signal and a timer, all dropped by `clear()`: no AbortController or `AbortSignal.any`.
 */
export class RouteDeadline {
  private readonly source = new CancelSource();
  private readonly timer: NodeJS.Timeout;
  private readonly startedAt = performance.now();
  private timeUp = false;
  private readonly onCallerAbort = () => this.source.cancel(this.caller.reason);

  constructor(
    readonly totalMs: number,
    private readonly caller: CancelSignal,
    onExpired: () => void,
  ) {
    this.timer = setTimeout(() => {
      this.timeUp = true;
      this.source.cancel(totalTimeError(totalMs));
      onExpired();
    }, totalMs);
    if (caller.aborted) this.source.cancel(caller.reason);
    else caller.addEventListener('abort', this.onCallerAbort, { once: true });
  }

  /** Aborted when the caller's signal is (with its reason) or when the time is up (an `upstream_timeout` error). */
  get signal(): CancelSignal {
    return this.source;
  }

  /** The total time ran out (whether or not the caller had left before). */
  get expired(): boolean {
    return this.timeUp;
  }

  get remainingMs(): number {
    return Math.max(0, this.totalMs - (performance.now() - this.startedAt));
  }

  /** Stops the clock and stops following the caller's signal. */
  clear(): void {
    clearTimeout(this.timer);
    this.caller.removeEventListener('abort', this.onCallerAbort);
  }
}

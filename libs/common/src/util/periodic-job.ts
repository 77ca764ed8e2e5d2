/**
 * A background job run on a timer, one turn at a time: the periodic work of a service (purges, partition
 * maintenance, rollups, lease renewals), which must never keep the process alive, never run twice at once,
 * never leave a rejected promise behind, and must have finished before what it uses (the database pool) closes.
 *
 * - The timer is unref'd: it never holds the process open.
 * - A turn due while the previous one still runs joins it instead of starting a second.
 * - A turn that throws is handed to `onError` (log it there; it must not throw) and the next turn runs as usual.
 * - `stop()` clears the timer and waits for the turn under way; later `runNow()` calls still run (a test, a
 *   last flush), the timer does not.
 */
export class PeriodicJob {
  private timer?: NodeJS.Timeout;
  private turn?: Promise<void>;

  constructor(
    private readonly job: () => Promise<unknown>,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Runs a turn every `everyMs` from now on. */
  start(everyMs: number): void {
    clearInterval(this.timer);
    this.timer = setInterval(() => void this.runNow(), everyMs);
    this.timer.unref();
  }

  /** Runs a turn now, or joins the one under way; resolves when it has ended, never rejects. */
  runNow(): Promise<void> {
    // `finally` runs in a later microtask, so it never clears the field before it is set.
    this.turn ??= this.runTurn().finally(() => (this.turn = undefined));
    return this.turn;
  }

  /** Resolves once no turn is under way (at once if none is). */
  async idle(): Promise<void> {
    while (this.turn) await this.turn;
  }

  /** Stops the timer and waits for the turn under way. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.idle();
  }

  private async runTurn(): Promise<void> {
    try {
      await this.job();
    } catch (error) {
      this.onError(error);
    }
  }
}

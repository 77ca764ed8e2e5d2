import { setTimeout as sleep } from 'node:timers/promises';

/** How often `eventually` reads again. */
const POLL_MS = 50;

/**
 * Polls `read` until `done` accepts its value, or `timeoutMs` has passed; returns the last value read either
 * way, so that the caller's own assertion on it says what was seen instead of a bare "timed out". The
 * default waits long enough for batched writes and timers on a loaded machine, and ends well inside Jest's
 * 30 s test timeout so that the caller's assertion, not Jest's timeout, reports the failure.
 */
export async function eventually<T>(
  read: () => T | Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await sleep(POLL_MS);
  }
}

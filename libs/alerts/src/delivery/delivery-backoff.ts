/**
 * The wait before the next attempt after `attempts` failed ones: doubling from `baseMs`, capped at `maxMs`,
 * with equal jitter (half fixed, half random) so that instances retrying together after an outage spread
 * out, while a delivery failing for good is still retried at least every `maxMs`.
 */
export function deliveryBackoffMs(attempts: number, baseMs: number, maxMs: number, random = Math.random): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(attempts - 1, 0), 30));
  return Math.round(exponential / 2 + (random() * exponential) / 2);
}

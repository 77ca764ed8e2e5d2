/**
 * Milliseconds since the epoch with sub-millisecond precision (from the monotonic clock), for durations
 * that must be exact and for timestamps stored to the microsecond.
 */
export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}

/** `2025-01-02T03:04:05.123456Z`: ISO 8601 to the microsecond, which Postgres `timestamptz` keeps exactly. */
export function isoMicros(epochMs: number): string {
  const wholeMs = Math.floor(epochMs);
  const micros = Math.min(999, Math.round((epochMs - wholeMs) * 1000));
  return new Date(wholeMs).toISOString().replace('Z', `${String(micros).padStart(3, '0')}Z`);
}

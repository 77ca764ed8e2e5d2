import { UsageError } from './cli-errors';

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * A point in time as people type it: relative to now (`90s`, `15m`, `1h`, `7d`, `2w`: that long ago), or an
 * ISO date or timestamp (`2026-03-01`, `2026-03-01T12:00:00Z`). Answers an ISO timestamp.
 */
export function parseTimeArg(value: string, option: string, now = Date.now()): string {
  const relative = /^(\d+)([smhdw])$/.exec(value.trim());
  if (relative) return new Date(now - Number(relative[1]) * UNIT_MS[relative[2]]).toISOString();
  if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value.trim())) {
    const time = Date.parse(value);
    if (!Number.isNaN(time)) return new Date(time).toISOString();
  }
  throw new UsageError(`${option}: expected a duration ago (30m, 1h, 7d, 2w) or an ISO date/time, got "${value}"`);
}

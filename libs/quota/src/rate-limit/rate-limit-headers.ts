import type { WindowCheck, WindowDecision } from './sliding-window';

export type RateDimension = 'requests' | 'tokens';

/** A window check with what it is about, for headers and messages. */
export interface LimitCheck extends WindowCheck {
  dimension: RateDimension;
  level: string;
}

/**
 * OpenAI's rate-limit headers, per dimension from the most constrained level:
 * `x-ratelimit-limit-requests`, `x-ratelimit-remaining-requests`, `x-ratelimit-reset-requests` (time
 * until the window is empty, as `1s`, `6m0s`, `20ms`), and the same for `-tokens`.
 */
export function rateLimitHeaders(checks: readonly LimitCheck[], decision: WindowDecision): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const dimension of ['requests', 'tokens'] as const) {
    let tightest: { limit: number; remaining: number; resetMs: number } | undefined;
    checks.forEach((check, i) => {
      if (check.dimension !== dimension) return;
      const window = decision.windows[i];
      const remaining = Math.max(0, check.limit - window.used);
      if (!tightest || remaining < tightest.remaining) tightest = { limit: check.limit, remaining, resetMs: window.resetMs };
    });
    if (!tightest) continue;
    headers[`x-ratelimit-limit-${dimension}`] = String(tightest.limit);
    headers[`x-ratelimit-remaining-${dimension}`] = String(tightest.remaining);
    headers[`x-ratelimit-reset-${dimension}`] = formatDuration(tightest.resetMs);
  }
  return headers;
}

/** Go-style durations as OpenAI sends them: `20ms`, `1s`, `59.5s`, `6m0s`, `1h0m0s`. */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.ceil(ms)}ms`;
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = `${Math.round((ms % 60_000) / 10) / 100}s`;
  if (hours > 0) return `${hours}h${minutes}m${seconds}`;
  return minutes > 0 ? `${minutes}m${seconds}` : seconds;
}

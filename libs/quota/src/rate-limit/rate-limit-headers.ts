import type { WindowCheck, WindowDecision } from './sliding-window';

export type RateDimension = 'requests' | 'tokens';

/** A window check with what it is about, for headers and messages. */
export interface LimitCheck extends WindowCheck {
  dimension: RateDimension;
  level: string;
}

/** Where the headers go: a Node `ServerResponse`, or anything with its `setHeader`. */
export interface HeaderSink {
  setHeader(name: string, value: string): unknown;
}

const DIMENSION_HEADERS = {
  requests: ['x-ratelimit-limit-requests', 'x-ratelimit-remaining-requests', 'x-ratelimit-reset-requests'],
  tokens: ['x-ratelimit-limit-tokens', 'x-ratelimit-remaining-tokens', 'x-ratelimit-reset-tokens'],
} as const;

/**
 * Sets OpenAI's rate-limit headers on `sink`, per dimension from the most constrained level:
 * `x-ratelimit-limit-requests`, `x-ratelimit-remaining-requests`, `x-ratelimit-reset-requests` (time
 * until the window is empty, as `1s`, `6m0s`, `20ms`), and the same for `-tokens`.
 */
export function setRateLimitHeaders(checks: readonly LimitCheck[], decision: WindowDecision, sink: HeaderSink): void {
  setDimension('requests', checks, decision, sink);
  setDimension('tokens', checks, decision, sink);
}

function setDimension(
  dimension: RateDimension,
  checks: readonly LimitCheck[],
  decision: WindowDecision,
  sink: HeaderSink,
): void {
  let tightest = -1;
  let tightestRemaining = 0;
  for (let i = 0; i < checks.length; i++) {
    const check = checks[i];
    if (check.dimension !== dimension) continue;
    const remaining = Math.max(0, check.limit - decision.windows[i].used);
    if (tightest < 0 || remaining < tightestRemaining) {
      tightest = i;
      tightestRemaining = remaining;
    }
  }
  if (tightest < 0) return;
  const [limit, remaining, reset] = DIMENSION_HEADERS[dimension];
  sink.setHeader(limit, String(checks[tightest].limit));
  sink.setHeader(remaining, String(tightestRemaining));
  sink.setHeader(reset, formatDuration(decision.windows[tightest].resetMs));
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

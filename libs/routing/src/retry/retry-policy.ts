import { GatewayError } from '@app/common';
import type { RetrySettings } from '../catalog/catalog.schema';
import type { HealthOutcome } from '../health/deployment-health';

/** Why a request left a model for its fallback; sent as `x-switchyard-fallback-reason`. */
export type FallbackTrigger = 'timeout' | 'upstream_5xx' | 'upstream_429' | 'connect_error' | 'circuit_open';

/** What a failed attempt means for the rest of the route and for the deployment's health. */
export type FailureVerdict =
  | {
      /** Another attempt may succeed: on another deployment, on a fallback, or here after a backoff. */
      retryable: true;
      trigger: FallbackTrigger;
      health: HealthOutcome;
      /** Set for an upstream 429: the deployment takes no attempts for this long (a default when undefined). */
      rateLimit?: { retryAfterMs: number | undefined };
    }
  | {
      /** The client gets this error as it is: its own request is at fault, or no other attempt would differ. */
      retryable: false;
      health: HealthOutcome;
    };

const retryable = (trigger: FallbackTrigger): FailureVerdict => ({ retryable: true, trigger, health: 'failure' });

/**
 * Which failed attempts a call may repeat (here, on another deployment or on a fallback), a property of the call:
 * - `any_failure`: every retryable failure. Chat and embeddings: a repeat costs a few tokens at most.
 * - `refusals_only`: only failures where the upstream surely did not take the job on — the connection failed
 *   before the request was sent, or the upstream refused it (429, or 503/529 with a retry-after). A call that
 *   is expensive and not safe to repeat (an image) and timed out or failed with a 5xx after it was sent may
 *   have been done, and billed, upstream: asking again could pay for it twice, so the client gets the error.
 */
export type RetryScope = 'any_failure' | 'refusals_only';

/** Judges an attempt's error by the gateway code the adapter gave it, within what the call may repeat. */
export function judgeFailure(error: unknown, scope: RetryScope = 'any_failure'): FailureVerdict {
  const verdict = judgeByCode(error);
  if (scope === 'refusals_only' && verdict.retryable && !wasRefused(error)) {
    return { retryable: false, health: verdict.health };
  }
  return verdict;
}

/** The upstream never started on the request: it was not sent, or it was turned away. */
function wasRefused(error: unknown): boolean {
  if (!(error instanceof GatewayError)) return false;
  const { code, options } = error;
  if (options.notSent) return true;
  if (code === 'upstream_rate_limited') return true;
  // An overloaded upstream that says when to come back has turned the request away; a bare 503 may be a
  // proxy's answer to a job that is still running behind it.
  return (
    code === 'upstream_unavailable' && options.upstreamStatus !== undefined && options.retryAfterSeconds !== undefined
  );
}

function judgeByCode(error: unknown): FailureVerdict {
  if (!(error instanceof GatewayError)) return { retryable: false, health: 'neutral' };
  switch (error.code) {
    case 'upstream_connection_error':
      return retryable('connect_error');
    case 'upstream_timeout':
      return retryable('timeout');
    case 'upstream_unavailable':
    case 'upstream_invalid_response':
      return retryable('upstream_5xx');
    case 'upstream_error':
      // 501: the upstream does not implement this at all; asking again changes nothing.
      return error.options.upstreamStatus === 501 ? { retryable: false, health: 'neutral' } : retryable('upstream_5xx');
    case 'upstream_rate_limited': {
      const seconds = error.options.retryAfterSeconds;
      return {
        retryable: true,
        trigger: 'upstream_429',
        health: 'neutral',
        rateLimit: { retryAfterMs: seconds === undefined ? undefined : seconds * 1000 },
      };
    }
    case 'upstream_auth_error':
    case 'upstream_quota_exhausted':
      // Not the client's fault, but the same for every request: the client gets the operator-facing error,
      // and the deployment's health suffers, so a misconfigured deployment is ejected and traffic moves.
      return { retryable: false, health: 'failure' };
    case 'upstream_bad_request':
      return { retryable: false, health: 'success' };
    default:
      return { retryable: false, health: 'neutral' };
  }
}

/**
 * Backoff before calling a deployment again that already failed in this request: "full jitter", a random
 * wait between 0 and base × 2^(failures − 1), capped, so that many clients' retries spread out.
 */
export function backoffDelayMs(
  retry: RetrySettings,
  failuresSoFar: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(retry.max_delay_ms, retry.base_delay_ms * 2 ** Math.max(0, failuresSoFar - 1));
  return Math.round(random() * ceiling);
}

import { GatewayError } from '@app/common';
import { backoffDelayMs, judgeFailure } from './retry-policy';

describe('judgeFailure', () => {
  it.each([
    ['upstream_connection_error', undefined, 'connect_error'],
    ['upstream_timeout', undefined, 'timeout'],
    ['upstream_timeout', 408, 'timeout'],
    ['upstream_unavailable', 503, 'upstream_5xx'],
    ['upstream_error', 500, 'upstream_5xx'],
    ['upstream_error', undefined, 'upstream_5xx'],
    ['upstream_invalid_response', undefined, 'upstream_5xx'],
  ] as const)(
    '%s (upstream %s) is retried, counts against health, and falls back as %s',
    (code, upstreamStatus, trigger) => {
      expect(judgeFailure(new GatewayError(code, 'x', { upstreamStatus }))).toEqual({
        retryable: true,
        trigger,
        health: 'failure',
      });
    },
  );

  it('retries a 429 elsewhere, carrying its retry-after, without blaming the deployment’s health', () => {
    expect(
      judgeFailure(new GatewayError('upstream_rate_limited', 'x', { upstreamStatus: 429, retryAfterSeconds: 2 })),
    ).toEqual({
      retryable: true,
      trigger: 'upstream_429',
      health: 'neutral',
      rateLimit: { retryAfterMs: 2_000 },
    });
    expect(judgeFailure(new GatewayError('upstream_rate_limited', 'x')).retryable).toBe(true);
  });

  it.each([
    ['upstream_bad_request', 400, 'success'],
    ['upstream_bad_request', 422, 'success'],
    ['upstream_error', 501, 'neutral'],
    ['upstream_auth_error', 401, 'failure'],
    ['upstream_quota_exhausted', 402, 'failure'],
  ] as const)('%s (upstream %s) goes to the client as it is; health: %s', (code, upstreamStatus, health) => {
    expect(judgeFailure(new GatewayError(code, 'x', { upstreamStatus }))).toEqual({ retryable: false, health });
  });

  it('never retries an error that is not an upstream failure', () => {
    expect(judgeFailure(new Error('bug'))).toEqual({ retryable: false, health: 'neutral' });
  });
});

describe('backoffDelayMs', () => {
  const retry = { max_attempts: 5, base_delay_ms: 100, max_delay_ms: 500 };

  it('draws from 0 up to a ceiling that doubles per failure and stops at max_delay_ms', () => {
    expect([1, 2, 3, 4].map((failures) => backoffDelayMs(retry, failures, () => 1))).toEqual([100, 200, 400, 500]);
    expect(backoffDelayMs(retry, 3, () => 0)).toBe(0);
    expect(backoffDelayMs(retry, 3, () => 0.5)).toBe(200);
  });
});

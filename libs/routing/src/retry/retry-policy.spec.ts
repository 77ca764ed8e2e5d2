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

describe('judgeFailure for a call that follows refusals only (images)', () => {
  const error = (code: ConstructorParameters<typeof GatewayError>[0], options = {}) =>
    new GatewayError(code, 'x', options);

  it.each([
    ['a 429', error('upstream_rate_limited', { upstreamStatus: 429 })],
    ['a 503 with retry-after', error('upstream_unavailable', { upstreamStatus: 503, retryAfterSeconds: 5 })],
    ['a refused connection', error('upstream_connection_error', { upstreamMessage: 'ECONNREFUSED', notSent: true })],
    ['a connect timeout', error('upstream_timeout', { notSent: true })],
  ])('follows %s with another attempt: the upstream never started on the job', (_, refusal) => {
    expect(judgeFailure(refusal, 'refusals_only').retryable).toBe(true);
  });

  it.each([
    ['a timeout after sending', error('upstream_timeout')],
    ['a 504', error('upstream_timeout', { upstreamStatus: 504 })],
    ['a 500', error('upstream_error', { upstreamStatus: 500 })],
    ['a 503 without retry-after', error('upstream_unavailable', { upstreamStatus: 503 })],
    ['a connection dropped mid-response', error('upstream_connection_error', { upstreamMessage: 'ECONNRESET' })],
    ['an unreadable answer', error('upstream_invalid_response')],
  ])('gives %s to the client as it is, still counting against health', (_, failure) => {
    const anyFailure = judgeFailure(failure);
    expect(anyFailure.retryable).toBe(true);
    expect(judgeFailure(failure, 'refusals_only')).toEqual({ retryable: false, health: anyFailure.health });
  });
});

import { GatewayError, RouteTrace } from '@app/common';

/** The attempts as `deployment → status code` pairs: names and codes only, never upstream messages. */
function summarizeAttempts(trace: RouteTrace): string {
  const attempts = trace.attempts.map(
    (attempt) => `${attempt.deployment} → ${[attempt.status, attempt.errorCode].filter(Boolean).join(' ') || 'failed'}`,
  );
  return `${attempts.length} upstream attempt${attempts.length === 1 ? '' : 's'}: ${attempts.join('; ')}`;
}

/**
 * Every model and deployment the route could use failed or is cooling down. `retry-after` is the last
 * upstream's own when it sent one (an overloaded upstream knows best), else `soonestSeconds`: when the first
 * deployment on the route can take a call again.
 */
export function routeExhaustedError(trace: RouteTrace, soonestSeconds: number, lastFailure?: unknown): GatewayError {
  const model = `"${trace.modelRequested}"`;
  const retryAfterSeconds =
    (lastFailure instanceof GatewayError ? lastFailure.options.retryAfterSeconds : undefined) ?? soonestSeconds;
  const message =
    trace.attempts.length === 0
      ? `No deployment for model ${model} is available right now: all are cooling down after failures or rate limits.`
      : `Model ${model} could not be served (${summarizeAttempts(trace)}).`;
  // The last upstream's own words stay in the evidence record; the client gets the summary.
  const evidence =
    lastFailure instanceof GatewayError
      ? { upstreamStatus: lastFailure.options.upstreamStatus, upstreamMessage: lastFailure.options.upstreamMessage }
      : {};
  return new GatewayError('upstream_unavailable', `${message} Retry in ${retryAfterSeconds} s.`, {
    retryAfterSeconds,
    ...evidence,
  });
}

/** The request's total time ran out; with the trace, the message lists the attempts made. */
export function totalTimeError(totalMs: number, trace?: RouteTrace): GatewayError {
  const attempts = trace && trace.attempts.length > 0 ? ` (${summarizeAttempts(trace)})` : '';
  return new GatewayError('upstream_timeout', `The request exceeded its total time limit of ${totalMs} ms${attempts}.`);
}

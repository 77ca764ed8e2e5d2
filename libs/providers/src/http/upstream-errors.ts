import { GatewayError, isErrorCode, scrubSecrets, truncate } from '@app/common';

export interface UpstreamFailure {
  providerId: string;
  status: number;
  headers: Record<string, string | undefined>;
  /** The upstream's own error message, as found in its error envelope (or the raw body). */
  message: string;
  /** The upstream's own error code or type, when it gave one. */
  upstreamCode?: string;
}

const MAX_MESSAGE = 1_000;

/**
 * Maps an upstream HTTP error to the gateway's error classes. Adapters parse their provider's envelope,
 * decide anything provider-specific, and hand the rest to this one table, so every provider fails alike:
 * the client's own mistakes pass through as 4xx with the upstream's message; credential and quota problems
 * of the gateway's provider account are 502 (the client's key is fine); overload 503; timeouts 504.
 */
export function upstreamHttpError(failure: UpstreamFailure): GatewayError {
  const { providerId, status } = failure;
  const message = truncate(scrubSecrets(failure.message || `HTTP ${status}`), MAX_MESSAGE);
  const evidence = { upstreamStatus: status, upstreamMessage: message };
  const said = `Upstream "${providerId}" returned ${status}: ${message}`;
  if (status === 401 || status === 403) {
    return new GatewayError(
      'upstream_auth_error',
      `Upstream "${providerId}" rejected the gateway's provider credentials (${status}). Your gateway key is fine; an operator must fix the provider key.`,
      evidence,
    );
  }
  if (status === 402) return new GatewayError('upstream_quota_exhausted', said, evidence);
  if (status === 429) {
    if (failure.upstreamCode === 'insufficient_quota')
      return new GatewayError('upstream_quota_exhausted', said, evidence);
    return new GatewayError('upstream_rate_limited', said, {
      ...evidence,
      retryAfterSeconds: retryAfterSeconds(failure.headers),
    });
  }
  if (status === 408 || status === 504) return new GatewayError('upstream_timeout', said, evidence);
  if (status === 503 || status === 529) {
    // An overloaded upstream's retry-after reaches the client (and the router) as a rate limit's does.
    return new GatewayError('upstream_unavailable', said, {
      ...evidence,
      retryAfterSeconds: retryAfterSeconds(failure.headers),
    });
  }
  if (status >= 500) return new GatewayError('upstream_error', said, evidence);
  // 400, 404, 409, 413, 415, 422: the request itself; the client gets the status and the upstream's words.
  // The upstream's code (e.g. context_length_exceeded) is kept unless it would pass for one of ours.
  const code = failure.upstreamCode;
  return new GatewayError('upstream_bad_request', said, {
    ...evidence,
    status: status >= 400 && status < 500 ? status : 400,
    clientCode: code && !isErrorCode(code) ? code : 'upstream_bad_request',
  });
}

/** `retry-after-ms` (float ms) or `retry-after` (seconds or HTTP date), rounded up to whole seconds. */
export function retryAfterSeconds(headers: Record<string, string | undefined>): number | undefined {
  const ms = Number(headers['retry-after-ms']);
  if (headers['retry-after-ms'] && Number.isFinite(ms) && ms >= 0) return Math.ceil(ms / 1000);
  const value = headers['retry-after'];
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

/** The message and code inside a JSON error envelope (`{error:{message,code,type}}` and its cousins). */
export function parseErrorEnvelope(text: string): { message: string; code?: string } {
  try {
    const parsed = JSON.parse(text) as { error?: unknown; message?: unknown };
    const error = parsed.error;
    if (error && typeof error === 'object') {
      const { message, code, type, status } = error as Record<string, unknown>;
      const upstreamCode = [code, status, type].find((v): v is string => typeof v === 'string');
      return { message: typeof message === 'string' ? message : text, code: upstreamCode };
    }
    if (typeof error === 'string') return { message: error };
    if (typeof parsed.message === 'string') return { message: parsed.message };
  } catch {
    // Not JSON (an HTML error page from a proxy, say): the text itself is the message.
  }
  return { message: text.trim() };
}

/**
 * An error the upstream reported inside a stream that had already started. The code matters when no
 * content has reached the client yet: an overload (`upstream_unavailable`) is worth a retry elsewhere.
 */
export function upstreamStreamError(
  providerId: string,
  rawMessage: string,
  code: 'upstream_error' | 'upstream_unavailable' | 'upstream_rate_limited' = 'upstream_error',
): GatewayError {
  const message = truncate(scrubSecrets(rawMessage), MAX_MESSAGE);
  return new GatewayError(code, `Upstream "${providerId}" failed mid-stream: ${message}`, { upstreamMessage: message });
}

/** The upstream answered, but not in its own documented shape. */
export function upstreamInvalidResponse(providerId: string, what: string): GatewayError {
  return new GatewayError('upstream_invalid_response', `Upstream "${providerId}" sent ${what}.`);
}

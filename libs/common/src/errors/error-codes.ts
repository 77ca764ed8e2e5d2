/**
 * Every failure the gateway can report, with the HTTP status and OpenAI error `type` it maps to.
 * One table so that "our 429" and "upstream 429", "bad request" and "model unavailable" never look alike.
 */
export const ERROR_CODES = {
  // The client's request.
  invalid_request_error: { status: 400, type: 'invalid_request_error' },
  request_too_large: { status: 413, type: 'invalid_request_error' },
  unsupported_media_type: { status: 415, type: 'invalid_request_error' },
  not_found: { status: 404, type: 'invalid_request_error' },
  method_not_allowed: { status: 405, type: 'invalid_request_error' },
  model_not_found: { status: 404, type: 'invalid_request_error' },
  /** A model called on a route of another kind (a chat model on /v1/images/generations, say). */
  model_kind_mismatch: { status: 400, type: 'invalid_request_error' },
  conflict: { status: 409, type: 'invalid_request_error' },
  // Idempotency-Key (docs/idempotency.md): the first request with the key is still being answered; the key
  // was used with another request; the first answer was not kept (too large) so it cannot be replayed.
  idempotency_in_progress: { status: 409, type: 'invalid_request_error' },
  idempotency_key_reused: { status: 422, type: 'invalid_request_error' },
  idempotency_replay_unavailable: { status: 409, type: 'invalid_request_error' },
  // The client's connection: a request that did not arrive in time, a client that stopped reading its answer
  // (recorded only: the answer had begun, so nobody is told).
  request_timeout: { status: 408, type: 'invalid_request_error' },
  client_stalled: { status: 408, type: 'invalid_request_error' },
  // Who is calling.
  invalid_api_key: { status: 401, type: 'invalid_request_error' },
  permission_denied: { status: 403, type: 'permission_error' },
  model_not_allowed: { status: 403, type: 'permission_error' },
  // A valid key that is suspended, or whose project is (anomaly detection), until an admin resumes it.
  key_suspended: { status: 403, type: 'permission_error' },
  // Our own quota decisions.
  insufficient_quota: { status: 402, type: 'insufficient_quota' },
  rate_limit_exceeded: { status: 429, type: 'rate_limit_error' },
  // What the upstream did: never the client's fault, except upstream_bad_request.
  upstream_bad_request: { status: 400, type: 'invalid_request_error' },
  upstream_auth_error: { status: 502, type: 'upstream_error' },
  upstream_rate_limited: { status: 429, type: 'upstream_error' },
  upstream_error: { status: 502, type: 'upstream_error' },
  upstream_unavailable: { status: 503, type: 'upstream_error' },
  upstream_connection_error: { status: 502, type: 'upstream_error' },
  upstream_timeout: { status: 504, type: 'upstream_error' },
  upstream_quota_exhausted: { status: 502, type: 'upstream_error' },
  upstream_invalid_response: { status: 502, type: 'upstream_error' },
  // Ours.
  service_unavailable: { status: 503, type: 'server_error' },
  overloaded: { status: 503, type: 'server_error' },
  internal_error: { status: 500, type: 'server_error' },
} as const satisfies Record<string, { status: number; type: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CODES, value);
}

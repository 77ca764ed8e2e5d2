import type { GatewayError } from '@app/common';
import type { MessagesErrorBody, MessagesErrorType } from './messages.types';

export interface MessagesErrorResponse {
  status: number;
  body: MessagesErrorBody;
  headers: Record<string, string>;
}

/** Anthropic's documented status → error type table; other 4xx are `invalid_request_error`, other 5xx `api_error`. */
const TYPE_BY_STATUS = new Map<number, MessagesErrorType>([
  [400, 'invalid_request_error'],
  [401, 'authentication_error'],
  [402, 'billing_error'],
  [403, 'permission_error'],
  [404, 'not_found_error'],
  [413, 'request_too_large'],
  [429, 'rate_limit_error'],
  [504, 'timeout_error'],
  [529, 'overloaded_error'],
]);

/** Anthropic's "overloaded" status: what a client should see when no upstream could serve the request. */
const OVERLOADED = 529;

/**
 * A gateway error as Anthropic's error response. The gateway's status is kept (so an upstream 404 or 413
 * passed through stays one) and Anthropic's type follows from it; the one change is `upstream_unavailable`
 * (every upstream overloaded or down, after fallbacks) and `overloaded` (the gateway shedding load) → 529
 * `overloaded_error`, what Anthropic sends and its SDK retries. The SDK retries 408/409/429/≥500 and obeys
 * `x-should-retry`, so a 402 budget error (`billing_error`) is never retried; the error's own headers
 * (`x-should-retry`, `retry-after-ms`) are kept, and `retryAfterSeconds` becomes `retry-after`. With a request
 * id, it is sent as `request-id` (the header the SDK reads) and in the body, as Anthropic does.
 */
export function messagesError(error: GatewayError, requestId?: string): MessagesErrorResponse {
  const status = messagesStatus(error);
  const headers: Record<string, string> = { ...error.options.headers };
  if (error.options.retryAfterSeconds !== undefined) headers['retry-after'] = String(error.options.retryAfterSeconds);
  const body = messagesErrorBody(error);
  if (requestId !== undefined) {
    headers['request-id'] = requestId;
    body.request_id = requestId;
  }
  return { status, body, headers };
}

/** The `{"type":"error","error":{type,message}}` body, also written as the `event: error` of a failed stream. */
export function messagesErrorBody(error: GatewayError): MessagesErrorBody {
  return { type: 'error', error: { type: errorTypeFor(messagesStatus(error)), message: error.message } };
}

function messagesStatus(error: GatewayError): number {
  return error.code === 'upstream_unavailable' || error.code === 'overloaded' ? OVERLOADED : error.status;
}

function errorTypeFor(status: number): MessagesErrorType {
  return TYPE_BY_STATUS.get(status) ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
}

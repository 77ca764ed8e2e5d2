import type { GatewayError } from '@app/common';
import { parseErrorEnvelope, upstreamHttpError, upstreamStreamError } from '../http/upstream-errors';
import type { GeminiErrorEnvelope } from './gemini.types';

type GeminiError = GeminiErrorEnvelope['error'];

/**
 * Gemini's gRPC status names the failure more exactly than its HTTP status does; this is the HTTP status
 * the shared error table should see for each. FAILED_PRECONDITION (billing, region) is the provider
 * account's problem, not the client's, so it counts as a credentials problem.
 */
const STATUS_BY_GRPC: Record<string, number> = {
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  FAILED_PRECONDITION: 403,
  RESOURCE_EXHAUSTED: 429,
  UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
};

/** An HTTP error answer from Gemini as the gateway's error. */
export function geminiHttpError(
  providerId: string,
  status: number,
  headers: Record<string, string | undefined>,
  body: string,
): GatewayError {
  const error = geminiErrorOf(body);
  if (!error) {
    const { message, code } = parseErrorEnvelope(body);
    return upstreamHttpError({ providerId, status, headers, message, upstreamCode: code });
  }
  return upstreamHttpError({
    providerId,
    status: effectiveStatus(status, error),
    headers: withRetryAfter(headers, error),
    message: error.message ?? `HTTP ${status}`,
    upstreamCode: error.status,
  });
}

/** The error of an in-stream `data: {"error": …}` event, if the event is one. */
export function geminiStreamError(providerId: string, event: unknown): GatewayError | undefined {
  const error = (event as Partial<GeminiErrorEnvelope> | null)?.error;
  if (!error || typeof error !== 'object') return undefined;
  return upstreamStreamError(providerId, error.message ?? error.status ?? 'unknown error');
}

/** The `error` object of a Gemini error body; some endpoints wrap the envelope in a one-element array. */
function geminiErrorOf(body: string): GeminiError | undefined {
  try {
    const parsed = JSON.parse(body) as unknown;
    const envelope = (Array.isArray(parsed) ? parsed[0] : parsed) as Partial<GeminiErrorEnvelope> | null;
    return envelope?.error && typeof envelope.error === 'object' ? envelope.error : undefined;
  } catch {
    return undefined;
  }
}

function effectiveStatus(status: number, error: GeminiError): number {
  // A wrong key is 400 INVALID_ARGUMENT to Gemini, but it is the gateway's credentials that are wrong.
  if (isInvalidApiKey(error)) return 401;
  return (error.status && STATUS_BY_GRPC[error.status]) || status;
}

function isInvalidApiKey(error: GeminiError): boolean {
  const reasons = (error.details ?? []).map((detail) => detail.reason);
  return (
    reasons.includes('API_KEY_INVALID') ||
    (error.status === 'INVALID_ARGUMENT' && /\bapi key\b/i.test(error.message ?? ''))
  );
}

/** A 429's `RetryInfo.retryDelay` ("41s") as `retry-after`, unless the response already has that header. */
function withRetryAfter(
  headers: Record<string, string | undefined>,
  error: GeminiError,
): Record<string, string | undefined> {
  if (headers['retry-after']) return headers;
  const delay = (error.details ?? []).map((detail) => detail.retryDelay).find((value) => typeof value === 'string');
  const seconds = typeof delay === 'string' ? /^(\d+(?:\.\d+)?)s$/.exec(delay)?.[1] : undefined;
  return seconds ? { ...headers, 'retry-after': seconds } : headers;
}

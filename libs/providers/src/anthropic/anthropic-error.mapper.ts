import { GatewayError } from '@app/common';
import { parseErrorEnvelope, upstreamHttpError, upstreamStreamError } from '../http/upstream-errors';
import type { AnthropicErrorDetail } from './anthropic.types';

/**
 * An Anthropic error response (`{"type":"error","error":{"type","message"}}`, or a proxy's non-JSON page)
 * as a gateway error. The shared status table does the rest: 401/403 → upstream_auth_error, 429 →
 * upstream_rate_limited (with retry-after), 529 overloaded → upstream_unavailable, 400 → the upstream's words.
 */
export function anthropicHttpError(
  providerId: string,
  status: number,
  headers: Record<string, string | undefined>,
  bodyText: string,
): GatewayError {
  const { message, code } = parseErrorEnvelope(bodyText);
  return upstreamHttpError({
    providerId,
    status: isBillingFailure(code, message) ? 402 : status,
    headers,
    message,
    upstreamCode: code,
  });
}

/**
 * An exhausted provider account is the operator's problem, not a bad request, even though Anthropic reports
 * "credit balance is too low" as a 400 `invalid_request_error`.
 */
function isBillingFailure(type: string | undefined, message: string): boolean {
  return type === 'billing_error' || /credit balance is too low/i.test(message);
}

/** An `event: error` after the 200 (e.g. overloaded mid-answer): the stream cannot be saved. */
export function anthropicStreamError(
  providerId: string,
  error: Partial<AnthropicErrorDetail> | undefined,
): GatewayError {
  const code =
    error?.type === 'overloaded_error'
      ? 'upstream_unavailable'
      : error?.type === 'rate_limit_error'
        ? 'upstream_rate_limited'
        : 'upstream_error';
  return upstreamStreamError(providerId, `${error?.type ?? 'error'}: ${error?.message ?? 'no message'}`, code);
}

import type { GatewayError } from '@app/common';

/**
 * 4xx answers a retry may well change: out of budget (402), the request timed out (408), a conflict (409),
 * a rate limit (429). Like 5xx, they are not kept, so the client's retry reaches the model.
 */
const RETRYABLE_CLIENT_ERRORS = new Set([402, 408, 409, 429]);

/**
 * Whether a request's answer is kept for replay under its Idempotency-Key (Stripe's rule, adapted): an answer
 * the client received whole and that a retry would only repeat — a success, or a 4xx about the request itself
 * (validation, unknown model, not allowed). Not kept, so the claim is released: 5xx and upstream failures, the
 * retryable 4xx above, a stream that failed after it began (200, then an error event), and an answer the
 * client never received whole (it left, or was cut).
 */
export function keepsAnswer(status: number, receivedWhole: boolean, error: GatewayError | undefined): boolean {
  if (!receivedWhole) return false;
  if (status >= 200 && status < 300) return error === undefined;
  return status >= 400 && status < 500 && !RETRYABLE_CLIENT_ERRORS.has(status);
}

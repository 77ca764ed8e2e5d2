import type { FastifyReply, FastifyRequest } from 'fastify';
import { preciseNow, requestContext } from '@app/common';

/**
 * Fastify `onSend` hook: every reply sent whole gets `server-timing: gateway;dur=<ms>` (arrival to send)
 * and, when upstreams were called, `upstream;dur=<ms>` (their sum), so a client can tell the gateway's share
 * from the provider's. Streams send their headers before their end; their timing is in the record and metrics.
 */
export function serverTimingHook(
  request: FastifyRequest,
  reply: FastifyReply,
  payload: unknown,
  done: (error: null, payload: unknown) => void,
): void {
  const context = requestContext(request.raw);
  const parts = [`gateway;dur=${(preciseNow() - context.receivedAt).toFixed(1)}`];
  const attempts = context.trace?.attempts ?? [];
  if (attempts.length > 0) parts.push(`upstream;dur=${attempts.reduce((sum, attempt) => sum + attempt.durationMs, 0)}`);
  reply.header('server-timing', parts.join(', '));
  done(null, payload);
}

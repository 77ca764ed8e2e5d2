import type { FastifyReply, FastifyRequest } from 'fastify';
import { preciseNow, RequestContext, requestContext } from '@app/common';

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
  reply.header('server-timing', serverTiming(requestContext(request.raw)));
  done(null, payload);
}

/** The `server-timing` value for a reply sent now (answers written without Fastify's reply set it themselves). */
export function serverTiming(context: RequestContext): string {
  const gateway = `gateway;dur=${(preciseNow() - context.receivedAt).toFixed(1)}`;
  const attempts = context.trace?.attempts;
  if (!attempts || attempts.length === 0) return gateway;
  let upstreamMs = 0;
  for (const attempt of attempts) upstreamMs += attempt.durationMs;
  return `${gateway}, upstream;dur=${upstreamMs}`;
}

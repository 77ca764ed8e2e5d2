import type { IncomingMessage } from 'node:http';
import { requestContext, requestIdFrom } from '@app/common';

/**
 * Fastify's `genReqId`: keeps a sane caller-supplied `x-request-id`, otherwise makes one, and records it
 * in the request context before any hook or middleware runs, so logger, guards and errors share one id.
 */
export function assignRequestId(raw: IncomingMessage): string {
  const id = requestIdFrom(raw.headers['x-request-id']);
  (raw as IncomingMessage & { id?: string }).id = id;
  requestContext(raw).requestId = id;
  return id;
}

import type { FastifyReply, FastifyRequest } from 'fastify';
import { CALLER_TAGS_HEADER, parseCallerTags } from '@app/audit';
import { ClientDisconnectedError, GatewayError, requestContext } from '@app/common';
import type { GatewayCall } from '../gateway.service';

/**
 * The authenticated call behind a request, with a signal that fires if the client disconnects. The caller's
 * tags are checked here, before any upstream is called, so a malformed header costs nothing.
 */
export function gatewayCall(request: FastifyRequest, reply: FastifyReply): GatewayCall {
  const context = requestContext(request.raw);
  if (!context.principal) throw new GatewayError('internal_error', 'Route reached without an authenticated key.');
  context.tags = parseCallerTags(request.headers[CALLER_TAGS_HEADER]);
  const controller = new AbortController();
  const response = reply.raw;
  response.once('close', () => {
    if (!response.writableFinished) controller.abort(new ClientDisconnectedError());
  });
  return { principal: context.principal, context, signal: controller.signal };
}

import type { ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CALLER_TAGS_HEADER, parseCallerTags } from '@app/audit';
import {
  CancelSignal,
  CancelSource,
  ClientDisconnectedError,
  GatewayError,
  Principal,
  RequestContext,
  requestContext,
} from '@app/common';

/** One authenticated request on its way through the gateway. */
export interface GatewayCall {
  principal: Principal;
  context: RequestContext;
  /** Aborted with `ClientDisconnectedError` when the client goes away. */
  signal: CancelSignal;
  /** How long the client may take none of the response before it is cut (CLIENT_STALL_TIMEOUT_MS). */
  clientStallMs: number;
  /** The route called, e.g. `/v1/embeddings`: named in messages about what the route accepts. */
  route: string;
}

/**
 * The authenticated call behind a request, with a signal that fires if the client disconnects. The caller's
 * tags are checked here, before any upstream is called, so a malformed header costs nothing.
 */
export function gatewayCall(request: FastifyRequest, reply: FastifyReply, clientStallMs: number): GatewayCall {
  const context = requestContext(request.raw);
  if (!context.principal) throw new GatewayError('internal_error', 'Route reached without an authenticated key.');
  context.tags = parseCallerTags(request.headers[CALLER_TAGS_HEADER]);
  return {
    principal: context.principal,
    context,
    signal: clientDisconnect(reply.raw),
    clientStallMs,
    route: request.routeOptions.url ?? request.url,
  };
}

/** Aborted with `ClientDisconnectedError` when the response closes before it was finished. */
export function clientDisconnect(response: ServerResponse): CancelSignal {
  const disconnect = new CancelSource();
  response.once('close', () => {
    if (!response.writableFinished) disconnect.cancel(new ClientDisconnectedError());
  });
  return disconnect;
}

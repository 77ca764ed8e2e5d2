import type { ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CALLER_TAGS_HEADER, parseCallerTags } from '@app/audit';
import { ClientDisconnectedError, GatewayError, requestContext } from '@app/common';
import type { CallerSignal } from '@app/routing';
import type { GatewayCall } from '../gateway.service';

/**
 * The authenticated call behind a request, with a signal that fires if the client disconnects. The caller's
 * tags are checked here, before any upstream is called, so a malformed header costs nothing.
 */
export function gatewayCall(request: FastifyRequest, reply: FastifyReply): GatewayCall {
  const context = requestContext(request.raw);
  if (!context.principal) throw new GatewayError('internal_error', 'Route reached without an authenticated key.');
  context.tags = parseCallerTags(request.headers[CALLER_TAGS_HEADER]);
  return { principal: context.principal, context, signal: new ClientDisconnect(reply.raw) };
}

/**
 * Aborted with `ClientDisconnectedError` when the response closes before it was finished: one `close`
 * listener on the response and a plain list of its own (in practice the route's deadline), no AbortController.
 */
export class ClientDisconnect implements CallerSignal {
  aborted = false;
  reason: unknown = undefined;
  private listeners: Array<() => void> = [];

  constructor(response: ServerResponse) {
    response.once('close', () => {
      if (response.writableFinished) return;
      this.aborted = true;
      this.reason = new ClientDisconnectedError();
      const listeners = this.listeners;
      this.listeners = [];
      for (const listener of listeners) listener();
    });
  }

  /** Like an AbortSignal's `{ once: true }` listeners: each is called at most once, when the client leaves. */
  addEventListener(_type: 'abort', listener: () => void): void {
    this.listeners.push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const at = this.listeners.indexOf(listener);
    if (at >= 0) this.listeners.splice(at, 1);
  }
}

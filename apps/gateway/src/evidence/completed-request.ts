import type { ServerResponse } from 'node:http';
import type { FastifyRequest } from 'fastify';
import { CompletedRequest, requestContext, unansweredStatus } from '@app/common';
import { REQUEST_TIMEOUT_ERROR } from '../http/client-errors';

/**
 * The facts of a request whose response has ended. From the body only the scalar fields that describe the
 * call are read (`model`, `stream`, `user`), never messages or input.
 */
export function completedRequest(request: FastifyRequest, response: ServerResponse, endedAt: number): CompletedRequest {
  const context = requestContext(request.raw);
  const body = (request.body && typeof request.body === 'object' ? request.body : {}) as Record<string, unknown>;
  // A request refused before routing (bad key, bad body) still names the model it asked for.
  if (context.modelRequested === undefined && typeof body.model === 'string') context.modelRequested = body.model;
  const userAgent = request.headers['user-agent'];
  const status = response.headersSent ? response.statusCode : unansweredStatus(request.raw);
  // Cut for arriving too slowly: answered on the bare socket, where no request context was at hand.
  if (!response.headersSent && status === REQUEST_TIMEOUT_ERROR.status) context.error ??= REQUEST_TIMEOUT_ERROR;
  return {
    context,
    method: request.method,
    endpoint: request.url.split('?')[0],
    status,
    clientAborted: !response.writableFinished,
    stream: body.stream === true,
    endedAt,
    clientIp: request.ip,
    userAgent: typeof userAgent === 'string' ? userAgent : null,
    endUser: typeof body.user === 'string' ? body.user : null,
  };
}

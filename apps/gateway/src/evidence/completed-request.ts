import type { ServerResponse } from 'node:http';
import type { FastifyRequest } from 'fastify';
import { CompletedRequest, requestContext } from '@app/common';

/** nginx's "client closed request": the client left before any response was sent. */
const CLIENT_CLOSED_REQUEST = 499;

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
  return {
    context,
    method: request.method,
    endpoint: request.url.split('?')[0],
    status: response.headersSent ? response.statusCode : CLIENT_CLOSED_REQUEST,
    clientAborted: !response.writableFinished,
    stream: body.stream === true,
    endedAt,
    clientIp: request.ip,
    userAgent: typeof userAgent === 'string' ? userAgent : null,
    endUser: typeof body.user === 'string' ? body.user : null,
  };
}

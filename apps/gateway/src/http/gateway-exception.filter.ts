import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Injectable, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ClientDisconnectedError, ErrorCode, GatewayError, requestContext, scrubSecrets } from '@app/common';
import { explainRouteMiss } from './base-url-hints';
import { routeHeaders } from './route-headers';
import { RouteInventory } from './route-inventory';

/** Nest hands Fastify's body errors (too large, bad JSON, wrong type) over as plain HttpExceptions. */
const STATUS_CODES: Record<number, ErrorCode> = { 413: 'request_too_large', 415: 'unsupported_media_type' };

/**
 * The one place an error becomes a response: every failure leaves as `{"error":{message,type,param,code}}`
 * with the status from the error-code table, plus the request id and route headers.
 */
@Catch()
@Injectable()
export class GatewayExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('GatewayExceptionFilter');

  constructor(private readonly routes: RouteInventory) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    // Nobody is left to answer; the request's record shows the client left (status 499).
    if (exception instanceof ClientDisconnectedError) return;
    const error = this.toGatewayError(exception, request);
    requestContext(request.raw).error = error;
    if (error.status >= 500 && !error.code.startsWith('upstream_')) {
      this.logger.error({ err: exception, code: error.code }, 'unexpected error');
    }
    if (reply.raw.headersSent) {
      // A streamed response has begun; its writer reports failures in-band.
      reply.raw.end();
      return;
    }
    const headers: Record<string, string> = { ...routeHeaders(requestContext(request.raw).trace), ...error.options.headers };
    if (error.options.retryAfterSeconds !== undefined) headers['retry-after'] = String(error.options.retryAfterSeconds);
    void reply.status(error.status).headers(headers).send(error.toBody());
  }

  private toGatewayError(exception: unknown, request: FastifyRequest): GatewayError {
    if (exception instanceof GatewayError) return exception;
    if (!(exception instanceof HttpException) || exception.getStatus() >= 500) {
      return new GatewayError('internal_error', 'The gateway failed unexpectedly; the request id identifies the details in its log.');
    }
    const status = exception.getStatus();
    if (status === 404) {
      // The path is echoed back, and people paste keys into URLs.
      const miss = explainRouteMiss(request.method, scrubSecrets(request.url), `${request.protocol}://${request.headers.host ?? 'localhost'}`, this.routes);
      return new GatewayError(miss.code, miss.message, { status: miss.status });
    }
    return new GatewayError(STATUS_CODES[status] ?? 'invalid_request_error', exception.message, { status });
  }
}

import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Injectable, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  ClientDisconnectedError,
  ErrorCode,
  GatewayError,
  InboundApiName,
  requestContext,
  scrubSecrets,
} from '@app/common';
import { messagesError } from '@app/inbound';
import { DatabaseUnavailableError, isDatabaseUnreachable } from '@app/persistence';
import { explainRouteMiss } from './base-url-hints';
import { routeHeaders } from './route-headers';
import { RouteInventory } from './route-inventory';

/** Nest hands Fastify's body errors (too large, bad JSON, wrong type) over as plain HttpExceptions. */
const STATUS_CODES: Record<number, ErrorCode> = { 413: 'request_too_large', 415: 'unsupported_media_type' };

interface ErrorResponse {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

/** OpenAI's shape `{"error":{message,type,param,code}}`, with the status from the error-code table. */
function openAiError(error: GatewayError): ErrorResponse {
  const headers: Record<string, string> = { ...error.options.headers };
  if (error.options.retryAfterSeconds !== undefined) headers['retry-after'] = String(error.options.retryAfterSeconds);
  return { status: error.status, body: error.toBody(), headers };
}

/**
 * The request's connection closed before its body had arrived (the client hung up mid-upload, or the request
 * timeout cut it): what reaches here is the body reader's "aborted", not a failure of the gateway.
 */
function uploadCutShort(request: FastifyRequest): boolean {
  return request.raw.destroyed && !request.raw.complete;
}

/** The error shape each inbound API's clients parse; everything else (admin, models, route misses) is OpenAI's. */
export const ERROR_SHAPES: Partial<Record<InboundApiName, (error: GatewayError, requestId: string) => ErrorResponse>> =
  {
    messages: messagesError,
    count_tokens: messagesError,
  };

/**
 * The one place an error becomes a response: every failure leaves in the caller's API shape (Anthropic's for
 * the Messages API, else OpenAI's), with the request id and route headers.
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
    // Nobody is left to answer; the request's record shows the client left (status 499) or was cut (408).
    if (exception instanceof ClientDisconnectedError || uploadCutShort(request)) return;
    const error = this.toGatewayError(exception, request);
    const context = requestContext(request.raw);
    context.error = error;
    // An unreachable database is logged once, as a state change (DatabaseAvailability), not per request.
    // Shedding load (overloaded) is the gateway's decision, counted in the records, not a failure to log.
    if (
      error.status >= 500 &&
      !error.code.startsWith('upstream_') &&
      error.code !== 'overloaded' &&
      !isDatabaseUnreachable(exception)
    ) {
      this.logger.error({ err: exception, code: error.code }, 'unexpected error');
    }
    if (reply.raw.headersSent) {
      // A streamed response has begun; its writer reports failures in-band.
      reply.raw.end();
      return;
    }
    const shape = (context.api && ERROR_SHAPES[context.api]) ?? openAiError;
    const response = shape(error, context.requestId);
    void reply
      .status(response.status)
      .headers({ ...routeHeaders(context.trace), ...response.headers })
      .send(response.body);
  }

  private toGatewayError(exception: unknown, request: FastifyRequest): GatewayError {
    if (exception instanceof GatewayError) return exception;
    // Wherever a statement failed for want of the database (admin reads and writes): 503 + retry-after.
    if (isDatabaseUnreachable(exception))
      return new DatabaseUnavailableError('This request cannot be served', exception);
    if (!(exception instanceof HttpException) || exception.getStatus() >= 500) {
      return new GatewayError(
        'internal_error',
        'The gateway failed unexpectedly; the request id identifies the details in its log.',
      );
    }
    const status = exception.getStatus();
    if (status === 404) {
      // The path is echoed back, and people paste keys into URLs.
      const miss = explainRouteMiss(
        request.method,
        scrubSecrets(request.url),
        `${request.protocol}://${request.headers.host ?? 'localhost'}`,
        this.routes,
      );
      return new GatewayError(miss.code, miss.message, { status: miss.status });
    }
    return new GatewayError(STATUS_CODES[status] ?? 'invalid_request_error', exception.message, { status });
  }
}

import { Injectable } from '@nestjs/common';
import type { FastifyBodyParser, FastifyInstance, FastifyRequest } from 'fastify';
import {
  GatewayError,
  InboundApiName,
  JsonBodies,
  JsonBodyLimits,
  JsonSyntax,
  JsonTooDeepError,
  requestContext,
} from '@app/common';
import { RequestLog, serverTimingHook } from '@app/observability';
import { RequestEvidence } from '../../evidence/request-evidence';
import { noteRequestBody } from '../idempotency/idempotency-key';
import { V1_ROUTES } from '../v1-routes';
import { checkIdentifiers } from './body-checks';
import { BodyDecoding, readBodyText } from './body-text';

/**
 * Request bodies: nested at most 64 deep (JSON.stringify and the translators recurse), and decoded as they
 * arrive and parsed in slices above 1 MiB so that one large body never holds the event loop for long (see
 * docs/reliability.md).
 */
export const JSON_BODY_LIMITS: JsonBodyLimits = {
  maxDepth: 64,
  slicedAbove: 1024 * 1024,
  sliceChars: 256 * 1024,
  turnMs: 10,
};

/** Bodies that are parsed in slices are also decoded as they arrive, in pieces of 256 KiB. */
const BODY_DECODING: BodyDecoding = { decodeAbove: JSON_BODY_LIMITS.slicedAbove, pieceBytes: 256 * 1024 };

/** The inbound API of each `/v1` route, known before the body is read, so body errors answer in its shape. */
const API_BY_URL = new Map<string, InboundApiName>(V1_ROUTES.map((route) => [route.url, route.name]));

/**
 * A request's opening and closing, for every route (Nest-routed ones included): the request id goes out on
 * every response, errors and streams too; when the response has closed, the request leaves its evidence
 * record and its log line — one hook and one listener for both. Also the one body parser.
 */
@Injectable()
export class RequestLifecycle {
  constructor(
    private readonly evidence: RequestEvidence,
    private readonly requestLog: RequestLog,
  ) {}

  attach(fastify: FastifyInstance): void {
    fastify.addHook('onRequest', (request, reply, done) => {
      reply.raw.setHeader('x-request-id', request.id);
      const api = API_BY_URL.get(request.routeOptions.url ?? '');
      if (api) requestContext(request.raw).api = api;
      reply.raw.once('close', () => {
        this.evidence.responseClosed(request, reply);
        this.requestLog.responseClosed(request, reply);
      });
      done();
    });
    fastify.addHook('onSend', serverTimingHook);
    // One JSON parser for every content type: `curl -d` sends form encoding by default, and `curl -X POST`
    // with a JSON content type but no body is common on admin actions; refusing either helps nobody.
    const bodies = new JsonBodies(fastifySyntax(fastify.getDefaultJsonParser('error', 'error')), JSON_BODY_LIMITS);
    fastify.removeContentTypeParser(['application/json', 'text/plain']);
    fastify.addContentTypeParser(['application/json', '*'], (request, payload, done) =>
      readBodyText(request, payload, BODY_DECODING, (error, text) => {
        if (error) done(error);
        else parseBody(bodies, request, text!, done);
      }),
    );
  }
}

/** The body's text to its value: empty is no body; short in one call, long in slices over several turns. */
function parseBody(
  bodies: JsonBodies,
  request: FastifyRequest,
  text: string,
  done: (error: Error | null, value?: unknown) => void,
): void {
  noteRequestBody(request.raw, text);
  if (text.trim() === '') {
    done(null, undefined);
    return;
  }
  const accept = (value: unknown) => {
    checkBody(request, value);
    return value;
  };
  if (bodies.isLong(text)) {
    bodies
      .parseSliced(text)
      .then(accept)
      .then(
        (value) => done(null, value),
        (error: unknown) => done(bodyError(error)),
      );
    return;
  }
  let value: unknown;
  try {
    value = accept(bodies.parse(text));
  } catch (error) {
    done(bodyError(error));
    return;
  }
  done(null, value);
}

/** The fields every `/v1` API reads are checked before any of its work (rate limits, translation) runs. */
function checkBody(request: FastifyRequest, value: unknown): void {
  if (requestContext(request.raw).api) checkIdentifiers(value);
}

function bodyError(error: unknown): Error {
  if (error instanceof JsonTooDeepError) {
    return new GatewayError(
      'invalid_request_error',
      `The request body is ${error.message}; no API the gateway serves needs more.`,
      { param: null },
    );
  }
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * Fastify's own JSON parser (secure-json-parse, refusing `__proto__` and `constructor.prototype`), called
 * synchronously on each piece: it answers through its callback before returning.
 */
function fastifySyntax(parser: FastifyBodyParser<string>): JsonSyntax {
  const malformed = () =>
    new GatewayError('invalid_request_error', 'The request body is not valid JSON.', { param: null });
  return {
    parse(text) {
      let outcome: { error: Error | null; value: unknown } | undefined;
      void parser(undefined as never, text, (error, value) => (outcome = { error, value }));
      if (!outcome || outcome.error) throw malformed();
      return outcome.value;
    },
    malformed,
  };
}

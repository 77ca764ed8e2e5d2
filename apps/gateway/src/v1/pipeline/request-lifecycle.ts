import { Injectable } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { RequestLog, serverTimingHook } from '@app/observability';
import { RequestEvidence } from '../../evidence/request-evidence';

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
      reply.raw.once('close', () => {
        this.evidence.responseClosed(request, reply);
        this.requestLog.responseClosed(request, reply);
      });
      done();
    });
    fastify.addHook('onSend', serverTimingHook);
    // One JSON parser for every content type: `curl -d` sends form encoding by default, and `curl -X POST`
    // with a JSON content type but no body is common on admin actions; refusing either helps nobody.
    const parseJson = fastify.getDefaultJsonParser('error', 'error');
    fastify.removeContentTypeParser(['application/json', 'text/plain']);
    fastify.addContentTypeParser(['application/json', '*'], { parseAs: 'string' }, (request, body, done) => {
      if ((body as string).trim() === '') {
        done(null, undefined);
        return;
      }
      // The default parser answers through `done`; nothing to wait for here.
      void parseJson(request, body as string, done);
    });
  }
}

import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { Logger } from 'nestjs-pino';
import { assignRequestId, RequestLog, serverTimingHook } from '@app/observability';
import { AppModule, GatewayModuleOptions } from './app.module';
import { RequestEvidence } from './evidence/request-evidence';
import { GatewayExceptionFilter } from './http/gateway-exception.filter';
import { ProxyRoutes } from './http/proxy-routes';
import { serverConfig, ServerSettings } from './server.config';
import { FirstRunCredentials, FirstRunService } from './setup/first-run.service';

export type GatewayOptions = GatewayModuleOptions;

export interface Gateway {
  app: NestFastifyApplication;
  settings: ServerSettings;
  /** Set only on the first start in zero-setup mode. */
  firstRun: FirstRunCredentials | null;
}

/** Builds the whole gateway, ready to listen; shared by `main` and the end-to-end tests. */
export async function createGateway(options: GatewayOptions = {}): Promise<Gateway> {
  const module = AppModule.forRoot(options);
  const settings = serverConfig();
  const adapter = new FastifyAdapter({
    bodyLimit: settings.bodyLimitBytes,
    genReqId: assignRequestId,
    requestIdHeader: false,
    return503OnClosing: true,
    forceCloseConnections: false,
    trustProxy: settings.trustProxy,
  });
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, { bufferLogs: true, abortOnError: false, bodyParser: false });
  app.useLogger(app.get(Logger));
  const filter = new GatewayExceptionFilter();
  app.useGlobalFilters(filter);
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  configureFastify(fastify, app.get(RequestEvidence), app.get(RequestLog));
  app.get(ProxyRoutes).register(fastify, filter);
  await app.init();
  const firstRun = await app.get(FirstRunService).setUp();
  return { app, settings, firstRun };
}

function configureFastify(fastify: FastifyInstance, evidence: RequestEvidence, requestLog: RequestLog): void {
  // The request id goes out on every response, errors and streams included. When the response has closed,
  // the request leaves its evidence record and its log line: one hook and one listener for both.
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.raw.setHeader('x-request-id', request.id);
    reply.raw.once('close', () => {
      evidence.responseClosed(request, reply);
      requestLog.responseClosed(request, reply);
    });
    done();
  });
  fastify.addHook('onSend', serverTimingHook);
  // One JSON parser for every content type: `curl -d` sends form encoding by default, and `curl -X POST`
  // with a JSON content type but no body is common on admin actions; refusing either helps nobody.
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser(['application/json', 'text/plain']);
  fastify.addContentTypeParser(['application/json', '*'], { parseAs: 'string' }, (request, body, done) => {
    if ((body as string).trim() === '') return done(null, undefined);
    parseJson(request, body as string, done);
  });
}

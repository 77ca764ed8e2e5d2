import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { assignRequestId } from '@app/observability';
import { AppModule, GatewayModuleOptions } from './app.module';
import { answerClientError } from './http/client-errors';
import { RouteInventory } from './http/route-inventory';
import { serverConfig, ServerSettings } from './server.config';
import { FirstRunCredentials, FirstRunService } from './setup/first-run.service';
import { V1Pipeline } from './v1/pipeline/v1-pipeline';
import { V1_ROUTES } from './v1/v1-routes';

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
    // Headers and body must arrive within the request timeout (Node checks the connections every `interval`);
    // it ends when the request has arrived, so no response is cut by it, however long it streams.
    requestTimeout: settings.connections.requestTimeoutMs,
    http: {
      requestTimeout: settings.connections.requestTimeoutMs,
      headersTimeout: settings.connections.requestTimeoutMs,
      connectionsCheckingInterval: connectionCheckIntervalMs(settings.connections.requestTimeoutMs),
    },
    clientErrorHandler: answerClientError,
  });
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, {
    bufferLogs: true,
    abortOnError: false,
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  const fastify = app.getHttpAdapter().getInstance();
  // Before init, so that both see every route: Nest adds its own routes in init.
  app.get(RouteInventory).watch(fastify);
  app.get(V1Pipeline).mount(fastify, V1_ROUTES);
  await app.init();
  const firstRun = await app.get(FirstRunService).setUp();
  return { app, settings, firstRun };
}

/** How often Node looks for requests past their timeout: a quarter of it, at most a second (Node's default: 30 s). */
function connectionCheckIntervalMs(requestTimeoutMs: number): number {
  return Math.min(1_000, Math.ceil(requestTimeoutMs / 4));
}

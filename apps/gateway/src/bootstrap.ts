import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { assignRequestId } from '@app/observability';
import { AppModule, GatewayModuleOptions } from './app.module';
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

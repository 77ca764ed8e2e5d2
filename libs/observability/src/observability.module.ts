import { DynamicModule, Global, Module } from '@nestjs/common';
import { ConfigModule, ConfigType } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { GatewayMetrics } from './metrics/gateway-metrics';
import { MetricsAccess } from './metrics/metrics-access';
import { observabilityConfig } from './observability.config';
import { LOG_DESTINATION, RequestLog } from './request-log';
import { loggerOptions } from './request-logging';

export interface ObservabilityOptions {
  /** Where log lines go; stdout when absent. Tests pass a capturing stream. */
  logDestination?: DestinationStream;
}

/** Logging (nestjs-pino for the app, one JSON line per request) and the Prometheus metrics. */
@Global()
@Module({})
export class ObservabilityModule {
  static forRoot(options: ObservabilityOptions = {}): DynamicModule {
    return {
      module: ObservabilityModule,
      imports: [
        ConfigModule.forFeature(observabilityConfig),
        LoggerModule.forRootAsync({
          imports: [ConfigModule.forFeature(observabilityConfig)],
          inject: [observabilityConfig.KEY],
          // The app's logger only: the per-request line comes from RequestLog's hook, so no route gets
          // nestjs-pino's middleware.
          useFactory: (settings: ConfigType<typeof observabilityConfig>) => ({
            pinoHttp: loggerOptions(settings.logLevel, options.logDestination),
            forRoutes: [],
          }),
        }),
      ],
      providers: [
        GatewayMetrics,
        MetricsAccess,
        RequestLog,
        { provide: LOG_DESTINATION, useValue: options.logDestination },
      ],
      exports: [GatewayMetrics, MetricsAccess, RequestLog],
    };
  }
}

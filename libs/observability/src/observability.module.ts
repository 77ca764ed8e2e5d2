import { DynamicModule, Global, Module } from '@nestjs/common';
import { ConfigModule, ConfigType } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { GatewayMetrics } from './metrics/gateway-metrics';
import { MetricsAccess } from './metrics/metrics-access';
import { observabilityConfig } from './observability.config';
import { requestLoggingOptions } from './request-logging';

export interface ObservabilityOptions {
  /** Where log lines go; stdout when absent. Tests pass a capturing stream. */
  logDestination?: DestinationStream;
}

/** Request logging (one JSON line per request, through nestjs-pino) and the Prometheus metrics. */
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
          useFactory: (settings: ConfigType<typeof observabilityConfig>) => ({
            pinoHttp: requestLoggingOptions(settings.logLevel, options.logDestination),
            forRoutes: ['*path'],
          }),
        }),
      ],
      providers: [GatewayMetrics, MetricsAccess],
      exports: [GatewayMetrics, MetricsAccess],
    };
  }
}

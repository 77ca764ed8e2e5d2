import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_FILTER, APP_INTERCEPTOR } from '@nestjs/core';
import { AuditModule } from '@app/audit';
import { AUTH_ENTITIES, AuthModule } from '@app/auth';
import { ClockModule } from '@app/common';
import {
  ObservabilityModule,
  ObservabilityOptions,
  RedactionInterceptor,
  HandlerCompletionInterceptor,
} from '@app/observability';
import { PersistenceModule } from '@app/persistence';
import { QuotaModule } from '@app/quota';
import { RoutingModule } from '@app/routing';
import { AdminModule } from './admin/admin.module';
import { GatewayAlertsModule } from './alerts/gateway-alerts.module';
import { ConsoleModule } from './console/console.module';
import { HealthController } from './health/health.controller';
import { HealthMetrics } from './health/health-metrics';
import { MetricsController } from './health/metrics.controller';
import { Readiness } from './health/readiness';
import { GatewayExceptionFilter } from './http/gateway-exception.filter';
import { RouteInventory } from './http/route-inventory';
import { OpenApiModule } from './openapi/openapi.module';
import { RedactionModule } from './redaction.module';
import { serverConfig } from './server.config';
import { FirstRunService } from './setup/first-run.service';
import { V1Module } from './v1/v1.module';

export type GatewayModuleOptions = ObservabilityOptions;

@Module({})
export class AppModule {
  static forRoot(options: GatewayModuleOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({ isGlobal: true, envFilePath: '.env', load: [serverConfig] }),
        ClockModule,
        ObservabilityModule.forRoot(options),
        PersistenceModule.forRoot([...AUTH_ENTITIES]),
        AuthModule,
        // After AuthModule: global guards run in module order, and the rate limiter needs the key's principal.
        QuotaModule,
        RoutingModule,
        AuditModule,
        GatewayAlertsModule,
        RedactionModule,
        V1Module,
        AdminModule,
        ConsoleModule,
        OpenApiModule,
      ],
      controllers: [HealthController, MetricsController],
      providers: [
        FirstRunService,
        Readiness,
        HealthMetrics,
        RouteInventory,
        // The global enhancers, outermost first. The /v1 pipeline runs these same instances (GlobalEnhancers).
        { provide: APP_INTERCEPTOR, useClass: HandlerCompletionInterceptor },
        { provide: APP_INTERCEPTOR, useClass: RedactionInterceptor },
        { provide: APP_FILTER, useClass: GatewayExceptionFilter },
      ],
    };
  }
}

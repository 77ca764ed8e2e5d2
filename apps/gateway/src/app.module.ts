import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { AuditModule } from '@app/audit';
import { AUTH_ENTITIES, AuthModule } from '@app/auth';
import { ClockModule } from '@app/common';
import { ObservabilityModule, ObservabilityOptions, RedactionInterceptor, HandlerCompletionInterceptor } from '@app/observability';
import { PersistenceModule } from '@app/persistence';
import { QuotaModule } from '@app/quota';
import { RoutingModule } from '@app/routing';
import { AdminModule } from './admin/admin.module';
import { ChatRoute } from './chat/chat.route';
import { EmbeddingsRoute } from './embeddings/embeddings.route';
import { RequestEvidence } from './evidence/request-evidence';
import { GatewayService } from './gateway.service';
import { HealthController } from './health/health.controller';
import { MetricsController } from './health/metrics.controller';
import { Readiness } from './health/readiness';
import { ProxyRoutes } from './http/proxy-routes';
import { ModelsController } from './models/models.controller';
import { RedactionModule } from './redaction.module';
import { serverConfig } from './server.config';
import { SpendService } from './spend/spend.service';
import { FirstRunService } from './setup/first-run.service';

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
        RedactionModule,
        AdminModule,
      ],
      controllers: [
        ModelsController,
        HealthController,
        MetricsController,
      ],
      providers: [
        GatewayService,
        SpendService,
        FirstRunService,
        RequestEvidence,
        Readiness,
        ChatRoute,
        EmbeddingsRoute,
        ProxyRoutes,
        // Also provided by class: the proxy routes run them outside Nest's router (see ProxyRoutes).
        HandlerCompletionInterceptor,
        RedactionInterceptor,
        { provide: APP_INTERCEPTOR, useExisting: HandlerCompletionInterceptor },
        { provide: APP_INTERCEPTOR, useExisting: RedactionInterceptor },
      ],
    };
  }
}

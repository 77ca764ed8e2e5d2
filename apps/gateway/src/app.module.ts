import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { AUTH_ENTITIES, AuthModule } from '@app/auth';
import { ClockModule } from '@app/common';
import { KnownSecrets, ObservabilityModule, ObservabilityOptions, RedactionInterceptor, Redactor, TimingInterceptor } from '@app/observability';
import { PersistenceModule } from '@app/persistence';
import { ModelCatalogService, RoutingModule } from '@app/routing';
import { KeysController } from './admin/keys.controller';
import { TenancyController } from './admin/tenancy.controller';
import { ChatController } from './chat/chat.controller';
import { EmbeddingsController } from './embeddings/embeddings.controller';
import { GatewayService } from './gateway.service';
import { HealthController } from './health/health.controller';
import { ModelsController } from './models/models.controller';
import { serverConfig } from './server.config';
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
        RoutingModule,
      ],
      controllers: [ChatController, EmbeddingsController, ModelsController, HealthController, TenancyController, KeysController],
      providers: [
        GatewayService,
        FirstRunService,
        Redactor,
        { provide: KnownSecrets, inject: [ModelCatalogService], useFactory: (catalog: ModelCatalogService) => ({ list: () => catalog.secrets() }) },
        { provide: APP_INTERCEPTOR, useClass: TimingInterceptor },
        { provide: APP_INTERCEPTOR, useClass: RedactionInterceptor },
      ],
    };
  }
}

import { HttpModule } from '@nestjs/axios';
import { DynamicModule, FactoryProvider, Module, ModuleMetadata } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import type { AlertsConfig } from '@app/common';
import { AlertsConfigSource } from './alerts-config.source';
import { alertsConfig } from './alerts.config';
import { AlertsService } from './alerts.service';
import { AlertsQuery } from './alerts.query';
import { AlertsStats } from './alerts-stats';
import { AlertDeliveryWorker } from './delivery/delivery-worker';
import { WEBHOOK_CLIENT_DEFAULTS, WebhookSender } from './delivery/webhook-sender';
import { AlertStore } from './outbox/alert.store';
import { DeliveryStore } from './outbox/delivery.store';

/** How the app tells the lib where the `alerts:` section comes from (the catalog that serves now). */
export interface AlertsModuleOptions {
  imports?: ModuleMetadata['imports'];
  inject?: FactoryProvider['inject'];
  current: (...deps: never[]) => () => AlertsConfig;
}

/**
 * Alerts: `AlertsService.raise` stores an alert and its outbox rows once per dedupe key; the delivery worker
 * signs and POSTs them to the configured webhooks; `AlertsQuery` lists and acknowledges them.
 */
@Module({})
export class AlertsModule {
  static forRoot(options: AlertsModuleOptions): DynamicModule {
    return {
      module: AlertsModule,
      imports: [
        ConfigModule.forFeature(alertsConfig),
        HttpModule.register(WEBHOOK_CLIENT_DEFAULTS),
        ...(options.imports ?? []),
      ],
      providers: [
        {
          provide: AlertsConfigSource,
          inject: options.inject ?? [],
          useFactory: (...deps: never[]): AlertsConfigSource => ({ current: options.current(...deps) }),
        },
        AlertsStats,
        AlertStore,
        DeliveryStore,
        AlertsService,
        AlertsQuery,
        WebhookSender,
        AlertDeliveryWorker,
      ],
      exports: [AlertsService, AlertsQuery, AlertsStats, AlertsConfigSource],
    };
  }
}

import { Module } from '@nestjs/common';
import { AlertsModule } from '@app/alerts';
import { QuotaModule } from '@app/quota';
import { ModelCatalogService, RoutingModule } from '@app/routing';
import { AlertMetrics } from './alert-metrics';
import { BudgetThresholdAlerts } from './budget-threshold-alerts';

/** The `alerts:` section read from the catalog that serves now: a reload changes webhooks and thresholds. */
const alerts = AlertsModule.forRoot({
  imports: [RoutingModule],
  inject: [ModelCatalogService],
  current: (catalog: ModelCatalogService) => () => catalog.alerts(),
});

/**
 * Alerts composed into the gateway: the lib (raise, outbox, delivery worker, query) bound to the catalog's
 * `alerts:` section, budget threshold alerts fed by quota's ledger flushes, and the alert metrics. Whoever
 * raises alerts or reads them (detectors, the admin API) imports this module.
 */
@Module({
  imports: [alerts, QuotaModule],
  providers: [BudgetThresholdAlerts, AlertMetrics],
  exports: [alerts],
})
export class GatewayAlertsModule {}

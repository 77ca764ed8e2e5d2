import { Injectable, OnModuleInit } from '@nestjs/common';
import { AlertsQuery, AlertsStats } from '@app/alerts';
import { GatewayMetrics } from '@app/observability';

/** Hands the metrics the alerts' counters and the outbox backlog (asked at scrape time): the libs cannot see each other. */
@Injectable()
export class AlertMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: GatewayMetrics,
    private readonly stats: AlertsStats,
    private readonly alerts: AlertsQuery,
  ) {}

  onModuleInit(): void {
    this.metrics.watchAlerts({
      raised: () => this.stats.raised,
      deliveries: () => this.stats.deliveries,
      dropped: () => this.stats.dropped,
      backlog: () => this.alerts.backlog().catch(() => undefined),
    });
  }
}

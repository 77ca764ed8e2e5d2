import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { EntityManager } from 'typeorm';
import { Clock } from '@app/common';
import type { Alert } from './alert';
import { AlertsConfigSource } from './alerts-config.source';
import { alertsConfig } from './alerts.config';
import { webhookId } from './delivery/webhook-id';
import { AlertFilter, AlertStore } from './outbox/alert.store';
import { DeliveryStore, OutboxBacklog } from './outbox/delivery.store';

/** An alert with its delivery state summed up over the webhooks configured now. */
export interface AlertWithDelivery extends Alert {
  /** When the last configured webhook took it; null while one has not (or when none is configured). */
  deliveredAt: Date | null;
  /** Some configured webhook has failed it ALERTS_DELIVERY_FAILING_ATTEMPTS times or more and still retries. */
  deliveryFailing: boolean;
}

/** Reading and acknowledging alerts, and the outbox backlog, for the admin API and metrics. */
@Injectable()
export class AlertsQuery {
  constructor(
    private readonly alerts: AlertStore,
    private readonly deliveries: DeliveryStore,
    private readonly config: AlertsConfigSource,
    private readonly clock: Clock,
    @Inject(alertsConfig.KEY) private readonly settings: ConfigType<typeof alertsConfig>,
  ) {}

  /** Newest first. */
  async list(filter: AlertFilter, limit: number): Promise<AlertWithDelivery[]> {
    const webhooks = new Set(this.webhookIds());
    return (await this.alerts.list(filter, limit)).map((alert) => {
      const current = alert.deliveries.filter((delivery) => webhooks.has(delivery.webhookId));
      const delivered = current.length > 0 && current.every((delivery) => delivery.deliveredAt !== null);
      return {
        ...alert,
        deliveries: current,
        deliveredAt: delivered ? new Date(Math.max(...current.map((d) => d.deliveredAt!.getTime()))) : null,
        deliveryFailing: current.some((d) => !d.deliveredAt && d.attempts >= this.settings.failingAttempts),
      };
    });
  }

  get(id: string, manager?: EntityManager): Promise<Alert | null> {
    return this.alerts.get(id, manager);
  }

  /** Acknowledges the alert in the caller's transaction; null if there is none or it was acknowledged already. */
  acknowledge(id: string, by: string, manager: EntityManager): Promise<Alert | null> {
    return this.alerts.acknowledge(id, by, this.clock.now(), manager);
  }

  /** Deliveries still owed to the configured webhooks. */
  backlog(): Promise<OutboxBacklog> {
    return this.deliveries.backlog(this.webhookIds(), this.settings.failingAttempts);
  }

  private webhookIds(): string[] {
    return this.config.current().webhooks.map((webhook) => webhookId(webhook.url));
  }
}

import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { Clock, type AlertWebhookConfig } from '@app/common';
import { DatabaseAvailability } from '@app/persistence';
import { AlertsConfigSource } from '../alerts-config.source';
import { alertsConfig } from '../alerts.config';
import { AlertsStats } from '../alerts-stats';
import { ClaimedDelivery, DeliveryStore } from '../outbox/delivery.store';
import { deliveryBackoffMs } from './delivery-backoff';
import { webhookId } from './webhook-id';
import { WebhookSender } from './webhook-sender';

/** Deliveries claimed (and sent concurrently) per round; a full round is followed by another at once. */
const CLAIM_BATCH = 20;

/**
 * Each instance's outbox worker: every ALERTS_DELIVERY_POLL_MS it claims due deliveries of the configured
 * webhooks (`FOR UPDATE SKIP LOCKED`, so instances never send the same row at the same time), POSTs them,
 * and records the outcome: delivered, or the next attempt after an exponential, jittered backoff capped at
 * ALERTS_DELIVERY_MAX_DELAY_MS — it never gives up. The rows are the truth: a restart (or another instance)
 * carries on where this one stopped. At shutdown it stops claiming and lets the sends under way finish.
 */
@Injectable()
export class AlertDeliveryWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(AlertDeliveryWorker.name);
  private timer?: NodeJS.Timeout;
  private round?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly store: DeliveryStore,
    private readonly sender: WebhookSender,
    private readonly config: AlertsConfigSource,
    private readonly clock: Clock,
    private readonly database: DatabaseAvailability,
    private readonly stats: AlertsStats,
    @Inject(alertsConfig.KEY) private readonly settings: ConfigType<typeof alertsConfig>,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule(0);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.round;
  }

  /** Runs one round now (also what the timer does); resolves when its sends are recorded. */
  deliverDue(): Promise<void> {
    this.round ??= this.deliverRounds().finally(() => (this.round = undefined));
    return this.round;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.deliverDue().finally(() => this.schedule(this.settings.pollMs));
    }, delayMs);
    this.timer.unref();
  }

  private async deliverRounds(): Promise<void> {
    // While Postgres is down nothing can be claimed; the database's own probe notices its return.
    while (!this.stopped && this.database.reachable) {
      const webhooks = new Map(this.config.current().webhooks.map((webhook) => [webhookId(webhook.url), webhook]));
      let claimed: ClaimedDelivery[];
      try {
        const now = this.clock.now();
        // Past the send's time limit with a margin: a live sender has recorded its outcome by then.
        const claimUntil = new Date(now.getTime() + 2 * this.settings.timeoutMs);
        claimed = await this.store.claim([...webhooks.keys()], now, claimUntil, CLAIM_BATCH);
      } catch (error) {
        if (!this.database.noteFailure(error)) this.logger.error({ err: error }, 'could not claim alert deliveries');
        return;
      }
      await Promise.all(claimed.map((delivery) => this.deliver(delivery, webhooks.get(delivery.webhookId)!)));
      if (claimed.length < CLAIM_BATCH) return;
    }
  }

  private async deliver(delivery: ClaimedDelivery, webhook: AlertWebhookConfig): Promise<void> {
    const outcome = await this.sender.send(webhook, delivery.payload, this.clock.now());
    const context = { alertId: delivery.alertId, webhook: delivery.webhookId, attempts: delivery.attempts };
    try {
      if (outcome.delivered) {
        this.stats.deliveries.delivered++;
        await this.store.delivered(delivery, this.clock.now());
        return;
      }
      this.stats.deliveries.failed++;
      const delayMs = deliveryBackoffMs(delivery.attempts, this.settings.baseDelayMs, this.settings.maxDelayMs);
      await this.store.failed(delivery, outcome.error, new Date(this.clock.now().getTime() + delayMs));
      const failing = delivery.attempts >= this.settings.failingAttempts;
      const message = failing
        ? 'alert delivery still failing; retrying at the longest backoff'
        : 'alert delivery failed; will retry';
      this.logger[failing ? 'error' : 'warn']({ ...context, error: outcome.error, retryInMs: delayMs }, message);
    } catch (error) {
      // The claim expires and the row is sent again: the receiver de-duplicates by the alert's id.
      if (!this.database.noteFailure(error))
        this.logger.error({ ...context, err: error }, 'could not record an alert delivery');
    }
  }
}

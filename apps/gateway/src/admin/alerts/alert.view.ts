import type { Alert, AlertWithDelivery } from '@app/alerts';

/**
 * An alert as the admin API shows it: the webhook body's fields (`id`, `kind`, `created_at`, `subject`,
 * `details`) plus its state — delivered to every configured webhook (when), acknowledged (when, by whom) — and
 * each webhook's delivery, named by a hash of its URL (the URL may hold a token).
 */
export function alertView(alert: AlertWithDelivery) {
  return {
    ...acknowledgementView(alert),
    delivered_at: alert.deliveredAt?.toISOString() ?? null,
    delivery_failing: alert.deliveryFailing,
    deliveries: alert.deliveries.map((delivery) => ({
      webhook_id: delivery.webhookId,
      attempts: delivery.attempts,
      delivered_at: delivery.deliveredAt?.toISOString() ?? null,
      next_attempt_at: delivery.deliveredAt ? null : delivery.nextAttemptAt.toISOString(),
      last_error: delivery.lastError,
    })),
  };
}

/** The alert and its acknowledgement: what the ack answers and the audit trail records. */
export function acknowledgementView(alert: Alert) {
  return {
    id: alert.id,
    kind: alert.kind,
    created_at: alert.createdAt.toISOString(),
    subject: alert.subject,
    details: alert.details,
    acknowledged_at: alert.acknowledgedAt?.toISOString() ?? null,
    acknowledged_by: alert.acknowledgedBy,
  };
}

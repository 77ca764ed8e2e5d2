import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AlertKind, AlertPayload, AlertSubjectType } from '../alert';

/** A delivery this instance claimed: send it, then record the outcome. */
export interface ClaimedDelivery {
  alertId: string;
  webhookId: string;
  /** Attempts made, this one included. */
  attempts: number;
  payload: AlertPayload;
}

interface ClaimedRow {
  alert_id: string;
  webhook_id: string;
  attempts: number;
  kind: AlertKind;
  subject_type: AlertSubjectType;
  subject_id: string;
  details: Record<string, unknown>;
  created_at: Date;
}

/** Deliveries not yet taken by their webhook: all of them, and those past the failing threshold. */
export interface OutboxBacklog {
  pending: number;
  failing: number;
}

/**
 * The outbox statements of the delivery worker. A claim moves the rows' next attempt past the send's time
 * limit (and counts the attempt) in the statement that picks them with `FOR UPDATE SKIP LOCKED`: no other
 * instance can claim them meanwhile, no lock or connection is held while the POST is under way, and rows
 * claimed by an instance that died are due again once that time has passed.
 */
@Injectable()
export class DeliveryStore {
  constructor(private readonly dataSource: DataSource) {}

  async claim(webhooks: readonly string[], now: Date, claimUntil: Date, limit: number): Promise<ClaimedDelivery[]> {
    if (webhooks.length === 0) return [];
    const rows: ClaimedRow[] = await this.dataSource.query(
      `WITH due AS (
         SELECT alert_id, webhook_id FROM alert_deliveries
          WHERE delivered_at IS NULL AND next_attempt_at <= $1 AND webhook_id = ANY($2::text[])
          ORDER BY next_attempt_at
          LIMIT $3
          FOR UPDATE SKIP LOCKED
       ), claimed AS (
         UPDATE alert_deliveries d SET next_attempt_at = $4, attempts = d.attempts + 1
           FROM due WHERE d.alert_id = due.alert_id AND d.webhook_id = due.webhook_id
         RETURNING d.alert_id, d.webhook_id, d.attempts
       )
       SELECT c.alert_id, c.webhook_id, c.attempts, a.kind, a.subject_type, a.subject_id, a.details, a.created_at
         FROM claimed c JOIN alerts a ON a.id = c.alert_id`,
      [now, webhooks, limit, claimUntil],
    );
    return rows.map((row) => ({
      alertId: row.alert_id,
      webhookId: row.webhook_id,
      attempts: row.attempts,
      payload: {
        id: row.alert_id,
        kind: row.kind,
        created_at: row.created_at.toISOString(),
        subject: { type: row.subject_type, id: row.subject_id },
        details: row.details,
      },
    }));
  }

  async delivered(delivery: ClaimedDelivery, at: Date): Promise<void> {
    await this.dataSource.query(
      `UPDATE alert_deliveries SET delivered_at = $3, last_error = NULL WHERE alert_id = $1 AND webhook_id = $2`,
      [delivery.alertId, delivery.webhookId, at],
    );
  }

  async failed(delivery: ClaimedDelivery, error: string, nextAttemptAt: Date): Promise<void> {
    await this.dataSource.query(
      `UPDATE alert_deliveries SET next_attempt_at = $3, last_error = $4
        WHERE alert_id = $1 AND webhook_id = $2 AND delivered_at IS NULL`,
      [delivery.alertId, delivery.webhookId, nextAttemptAt, error],
    );
  }

  /** The outbox of the configured webhooks (rows of removed ones are never attempted again and not counted). */
  async backlog(webhooks: readonly string[], failingAttempts: number): Promise<OutboxBacklog> {
    if (webhooks.length === 0) return { pending: 0, failing: 0 };
    const [row]: Array<{ pending: string; failing: string }> = await this.dataSource.query(
      `SELECT count(*) AS pending, count(*) FILTER (WHERE attempts >= $2) AS failing
         FROM alert_deliveries WHERE delivered_at IS NULL AND webhook_id = ANY($1::text[])`,
      [webhooks, failingAttempts],
    );
    return { pending: Number(row.pending), failing: Number(row.failing) };
  }
}

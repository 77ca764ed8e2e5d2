import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Alerts and their durable outbox. `alerts.dedupe_key` is unique so that one condition seen by several
 * instances (or twice) is one alert; `alerts.id` is the idempotency id a webhook receiver de-duplicates by.
 * `alert_deliveries` holds one row per alert and configured webhook (named by a hash of its URL, never the
 * URL or its secret) until the receiver took it: the rows are the truth across restarts.
 */
export class CreateAlerts1764979200000 implements MigrationInterface {
  name = 'CreateAlerts1764979200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE alerts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind text NOT NULL CHECK (kind IN ('budget_threshold', 'spend_anomaly', 'auth_failures', 'new_ip', 'new_model')),
        subject_type text NOT NULL CHECK (subject_type IN ('team', 'project', 'key')),
        subject_id text NOT NULL,
        team_id uuid,
        project_id uuid,
        details jsonb NOT NULL,
        dedupe_key text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL,
        acknowledged_at timestamptz,
        acknowledged_by text
      )`);
    await q.query(`CREATE INDEX alerts_created_at_idx ON alerts (created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX alerts_team_id_idx ON alerts (team_id, created_at DESC)`);
    await q.query(`
      CREATE TABLE alert_deliveries (
        alert_id uuid NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
        webhook_id text NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL,
        delivered_at timestamptz,
        last_error text,
        PRIMARY KEY (alert_id, webhook_id)
      )`);
    await q.query(
      `CREATE INDEX alert_deliveries_due_idx ON alert_deliveries (next_attempt_at) WHERE delivered_at IS NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE alert_deliveries`);
    await q.query(`DROP TABLE alerts`);
  }
}

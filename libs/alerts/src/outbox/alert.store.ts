import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { Alert, AlertDelivery, AlertKind, AlertSubjectType, NewAlert } from '../alert';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The alert and one outbox row per webhook, in one statement (so one transaction). The alert's team and
 * project — what a team admin's view is filtered by — are looked up from the subject: a key's project and
 * team, a project's team. These are auth's tables, read by id only; an unknown subject leaves them NULL
 * (only owners and auditors see such an alert).
 */
const INSERT_ALERT = `
  WITH scope AS (
    SELECT CASE $2
             WHEN 'team' THEN $9::uuid
             WHEN 'project' THEN (SELECT team_id FROM projects WHERE id = $9::uuid)
             WHEN 'key' THEN (SELECT p.team_id FROM api_keys k JOIN projects p ON p.id = k.project_id WHERE k.id = $9::uuid)
           END AS team_id,
           CASE $2
             WHEN 'project' THEN $9::uuid
             WHEN 'key' THEN (SELECT project_id FROM api_keys WHERE id = $9::uuid)
           END AS project_id
  ), inserted AS (
    INSERT INTO alerts (kind, subject_type, subject_id, team_id, project_id, details, dedupe_key, created_at)
    SELECT $1, $2, $3, team_id, project_id, $4::jsonb, $5, $6 FROM scope
    ON CONFLICT (dedupe_key) DO NOTHING
    RETURNING id, created_at
  ), deliveries AS (
    INSERT INTO alert_deliveries (alert_id, webhook_id, next_attempt_at)
    SELECT inserted.id, webhook, $7::timestamptz FROM inserted, unnest($8::text[]) AS webhook
  )
  SELECT id FROM inserted`;

export interface AlertFilter {
  kind?: AlertKind;
  subjectId?: string;
  since?: Date;
  acknowledged?: boolean;
  /** Only alerts of these teams; undefined for all. */
  teams?: readonly string[];
}

interface AlertRow {
  id: string;
  kind: AlertKind;
  subject_type: AlertSubjectType;
  subject_id: string;
  team_id: string | null;
  project_id: string | null;
  details: Record<string, unknown>;
  created_at: Date;
  acknowledged_at: Date | null;
  acknowledged_by: string | null;
  deliveries: Array<{
    webhook_id: string;
    attempts: number;
    next_attempt_at: string;
    delivered_at: string | null;
    last_error: string | null;
  }> | null;
}

/** The alerts and outbox tables: every statement the lib runs on them. */
@Injectable()
export class AlertStore {
  constructor(private readonly dataSource: DataSource) {}

  /** Stores the alert with its deliveries; the new alert's id, or null when its dedupe key already exists. */
  async insert(
    alert: NewAlert,
    createdAt: Date,
    webhooks: readonly string[],
    firstAttemptAt: Date,
  ): Promise<string | null> {
    const rows: Array<{ id: string }> = await this.dataSource.query(INSERT_ALERT, [
      alert.kind,
      alert.subject.type,
      alert.subject.id,
      JSON.stringify(alert.details),
      alert.dedupe_key,
      createdAt,
      firstAttemptAt,
      webhooks,
      UUID.test(alert.subject.id) ? alert.subject.id : null,
    ]);
    return rows[0]?.id ?? null;
  }

  /** Newest first, with each alert's deliveries. */
  async list(filter: AlertFilter, limit: number): Promise<Alert[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown) => `$${params.push(value)}`;
    if (filter.kind) where.push(`a.kind = ${param(filter.kind)}`);
    if (filter.subjectId) where.push(`a.subject_id = ${param(filter.subjectId)}`);
    if (filter.since) where.push(`a.created_at >= ${param(filter.since)}`);
    if (filter.acknowledged !== undefined)
      where.push(filter.acknowledged ? 'a.acknowledged_at IS NOT NULL' : 'a.acknowledged_at IS NULL');
    if (filter.teams) where.push(`a.team_id = ANY(${param(filter.teams)}::uuid[])`);
    const rows: AlertRow[] = await this.dataSource.query(
      `SELECT a.*,
              (SELECT json_agg(json_build_object(
                        'webhook_id', d.webhook_id, 'attempts', d.attempts, 'next_attempt_at', d.next_attempt_at,
                        'delivered_at', d.delivered_at, 'last_error', d.last_error) ORDER BY d.webhook_id)
                 FROM alert_deliveries d WHERE d.alert_id = a.id) AS deliveries
         FROM alerts a
        ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY a.created_at DESC, a.id DESC
        LIMIT ${param(limit)}`,
      params,
    );
    return rows.map(alertFrom);
  }

  async get(id: string, manager: EntityManager = this.dataSource.manager): Promise<Alert | null> {
    if (!UUID.test(id)) return null;
    const rows: AlertRow[] = await manager.query(`SELECT a.*, NULL AS deliveries FROM alerts a WHERE a.id = $1`, [id]);
    return rows[0] ? alertFrom(rows[0]) : null;
  }

  /**
   * Marks the alert acknowledged if nobody has (a repeated ack keeps the first time and admin): the alert as
   * this call acknowledged it, or null when it did not (unknown, or acknowledged already, perhaps by a
   * concurrent call that committed while this one waited for the row).
   */
  async acknowledge(id: string, by: string, at: Date, manager: EntityManager): Promise<Alert | null> {
    if (!UUID.test(id)) return null;
    const rows: AlertRow[] = await manager.query(
      // In a CTE: a bare UPDATE … RETURNING comes back from TypeORM as [rows, count].
      `WITH acknowledged AS (
         UPDATE alerts SET acknowledged_at = $2, acknowledged_by = $3 WHERE id = $1 AND acknowledged_at IS NULL
         RETURNING *
       )
       SELECT a.*, NULL AS deliveries FROM acknowledged a`,
      [id, at, by],
    );
    return rows[0] ? alertFrom(rows[0]) : null;
  }
}

function alertFrom(row: AlertRow): Alert {
  return {
    id: row.id,
    kind: row.kind,
    subject: { type: row.subject_type, id: row.subject_id },
    teamId: row.team_id,
    projectId: row.project_id,
    details: row.details,
    createdAt: row.created_at,
    acknowledgedAt: row.acknowledged_at,
    acknowledgedBy: row.acknowledged_by,
    deliveries: (row.deliveries ?? []).map((d): AlertDelivery => ({
      webhookId: d.webhook_id,
      attempts: d.attempts,
      nextAttemptAt: new Date(d.next_attempt_at),
      deliveredAt: d.delivered_at ? new Date(d.delivered_at) : null,
      lastError: d.last_error,
    })),
  };
}

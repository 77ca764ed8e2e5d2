import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { ALERT_KINDS, AlertsQuery } from '@app/alerts';
import { AuditTrail } from '@app/audit';
import { AdminActor, seesTeam, visibleTeams } from '../shared/admin-actor';
import { notFound, parseAdminInput, parseId } from '../shared/admin-input';
import { listView } from '../shared/list.view';
import { acknowledgementView, alertView } from './alert.view';

export const alertsQuery = z.strictObject({
  kind: z.enum(ALERT_KINDS).optional(),
  /** The team, project or key id the alert is about. */
  subject_id: z.string().min(1).max(200).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  acknowledged: z
    .enum(['true', 'false'])
    .transform((value) => value === 'true')
    .optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/**
 * Alerts for admins: list (newest first, filtered) and acknowledge. A team admin sees and acknowledges the
 * alerts of its teams' objects only; another team's alert answers as an unknown one.
 */
@Injectable()
export class AlertsAdminService {
  constructor(
    private readonly alerts: AlertsQuery,
    private readonly trail: AuditTrail,
  ) {}

  async list(actor: AdminActor, query: unknown) {
    const input = parseAdminInput(alertsQuery, query);
    const alerts = await this.alerts.list(
      {
        kind: input.kind,
        subjectId: input.subject_id,
        since: input.since === undefined ? undefined : new Date(input.since),
        acknowledged: input.acknowledged,
        teams: visibleTeams(actor),
      },
      input.limit,
    );
    return listView(alerts.map(alertView));
  }

  /** Marks the alert seen; acknowledging it again keeps the first acknowledgement (and records nothing). */
  async acknowledge(actor: AdminActor, rawId: string) {
    const id = parseId(rawId, 'alert');
    return this.trail.transact(actor, async (tx) => {
      const alert = await this.alerts.get(id, tx.manager);
      if (!alert || !seesTeam(actor, alert.teamId)) throw notFound('alert', id);
      if (alert.acknowledgedAt) return acknowledgementView(alert);
      const acknowledged = await this.alerts.acknowledge(id, actor.id, tx.manager);
      // Another admin's acknowledgement committed since the read above: it stands, and is audited once (theirs).
      if (!acknowledged) return acknowledgementView((await this.alerts.get(id, tx.manager))!);
      const after = acknowledgementView(acknowledged);
      await tx.record({
        action: 'alert.acknowledge',
        target: { type: 'alert', id },
        before: { acknowledged_at: null },
        after: { acknowledged_at: after.acknowledged_at, acknowledged_by: after.acknowledged_by },
      });
      return after;
    });
  }
}

import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { USAGE_GROUPINGS, UsageReport } from '@app/audit';
import { Clock, GatewayError } from '@app/common';
import { AdminActor, visibleTeams } from '../shared/admin-actor';
import { parseAdminInput } from '../shared/admin-input';

const DEFAULT_DAYS = 30;
const DAY_MS = 86_400_000;

/** A UTC day, given as `YYYY-MM-DD` or as any ISO timestamp inside it. */
const day = z
  .union([z.iso.date(), z.iso.datetime({ offset: true })])
  .transform((value) => new Date(value).toISOString().slice(0, 10));

export const usageQuery = z.strictObject({
  group_by: z.enum(USAGE_GROUPINGS),
  since: day.optional(),
  until: day.optional(),
  team_id: z.uuid().optional(),
  project_id: z.uuid().optional(),
  key_id: z.uuid().optional(),
  owner: z.string().min(1).max(200).optional(),
});

/**
 * Requests, errors, tokens and cost per team, project, key, key owner, model, inbound API or day, from the
 * daily rollups; a team admin's report covers its own teams only.
 */
@Injectable()
export class UsageAdminService {
  constructor(
    private readonly usage: UsageReport,
    private readonly clock: Clock,
  ) {}

  /** `since` and `until` are whole UTC days, both included; by default the last 30 days. */
  async report(actor: AdminActor, query: unknown) {
    const input = parseAdminInput(usageQuery, query);
    const until = input.until ?? this.clock.now().toISOString().slice(0, 10);
    const since = input.since ?? new Date(Date.parse(until) - (DEFAULT_DAYS - 1) * DAY_MS).toISOString().slice(0, 10);
    if (since > until)
      throw new GatewayError('invalid_request_error', 'since: must not be after until', { param: 'since' });
    const data = await this.usage.totals({
      groupBy: input.group_by,
      since,
      until,
      teamId: input.team_id,
      projectId: input.project_id,
      keyId: input.key_id,
      owner: input.owner,
      teamIds: visibleTeams(actor),
    });
    return { object: 'list', group_by: input.group_by, since, until, data };
  }
}

import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** How usage can be grouped, and the column (or expression) behind each grouping. */
const GROUP_COLUMNS = {
  team: { label: 'team_id', sql: 'team_id' },
  project: { label: 'project_id', sql: 'project_id' },
  key: { label: 'key_id', sql: 'key_id' },
  // The key's owner when the requests were made; null for keys issued without one.
  owner: { label: 'owner', sql: 'owner' },
  model: { label: 'model', sql: 'model' },
  // The rollups keep '' for requests that were not model calls; reported as null, as in the records.
  api: { label: 'api', sql: `nullif(api, '')` },
  day: { label: 'day', sql: `to_char(day, 'YYYY-MM-DD')` },
} as const;

export type UsageGrouping = keyof typeof GROUP_COLUMNS;

/** Every way usage can be grouped, for validating `group_by`. */
export const USAGE_GROUPINGS = Object.keys(GROUP_COLUMNS) as [UsageGrouping, ...UsageGrouping[]];

export interface UsageQuery {
  groupBy: UsageGrouping;
  /** First and last UTC day included, `YYYY-MM-DD`. */
  since: string;
  until: string;
  teamId?: string;
  projectId?: string;
  keyId?: string;
  owner?: string;
  /** Only these teams (a team admin's); unset: every team. */
  teamIds?: readonly string[];
}

/** The sums reported for each group. */
const TOTALS = [
  'requests',
  'errors',
  'prompt_tokens',
  'cached_tokens',
  'completion_tokens',
  'reasoning_tokens',
  'cost_micro_usd',
  'images',
] as const;

/**
 * Usage per team, project, key, key owner, model, inbound API or day, read from the daily rollups (one row per day, key,
 * model and API) rather than from the request records, so a year's report costs the same as a day's.
 * Requests without a valid key (401s, base-URL mistakes) belong to nobody and are in the records only.
 */
@Injectable()
export class UsageReport {
  constructor(private readonly dataSource: DataSource) {}

  async totals(query: UsageQuery): Promise<Array<Record<string, string | number | null>>> {
    const group = GROUP_COLUMNS[query.groupBy];
    const params: unknown[] = [query.since, query.until];
    const where = ['day >= $1::date', 'day <= $2::date'];
    if (query.teamId) where.push(`team_id = $${params.push(query.teamId)}`);
    if (query.projectId) where.push(`project_id = $${params.push(query.projectId)}`);
    if (query.keyId) where.push(`key_id = $${params.push(query.keyId)}`);
    if (query.owner) where.push(`owner = $${params.push(query.owner)}`);
    if (query.teamIds) where.push(`team_id = ANY($${params.push(query.teamIds)}::uuid[])`);
    const rows: Array<Record<string, string | null>> = await this.dataSource.query(
      `SELECT ${group.sql}::text AS "group", ${TOTALS.map((total) => `sum(${total})::bigint AS ${total}`).join(', ')}
       FROM usage_daily WHERE ${where.join(' AND ')} GROUP BY 1 ORDER BY 1`,
      params,
    );
    return rows.map((row) => ({
      [group.label]: row.group,
      ...Object.fromEntries(TOTALS.map((total) => [total, Number(row[total])])),
    }));
  }
}

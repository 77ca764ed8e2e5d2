import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { WindowUsage } from './baseline';

/** Whose usage is read: a key's, or a project's (all its keys). */
export type UsageLevel = 'key' | 'project';

const COLUMN: Record<UsageLevel, string> = { key: 'key_id', project: 'project_id' };

export interface ObservedUsage extends WindowUsage {
  id: string;
}

export interface ModelUsage extends WindowUsage {
  model: string;
}

/**
 * Reads of `key_usage_buckets`, each an index range scan: the observed window of every subject (the
 * `bucket_start` index, one window of rows), then, for the few subjects above the floor, their baseline
 * (the primary key or the project index, `baseline_days` of their own rows).
 */
@Injectable()
export class UsageWindowsQuery {
  constructor(private readonly dataSource: DataSource) {}

  /** Subjects with at least `minRequests` requests since `from`. */
  async busy(level: UsageLevel, from: Date, minRequests: number): Promise<ObservedUsage[]> {
    const rows: Array<{ id: string; requests: number; cost: string }> = await this.dataSource.query(
      `SELECT ${COLUMN[level]} AS id, sum(requests)::int AS requests, sum(cost_micro_usd)::bigint AS cost
         FROM key_usage_buckets WHERE bucket_start >= $1
        GROUP BY ${COLUMN[level]} HAVING sum(requests) >= $2`,
      [from, minRequests],
    );
    return rows.map((row) => ({ id: row.id, requests: row.requests, costMicroUsd: Number(row.cost) }));
  }

  /** Each subject's earlier windows of `windowMs` in which it was used, back to `baselineStart`. */
  async baselineWindows(
    level: UsageLevel,
    ids: readonly string[],
    windowStart: Date,
    baselineStart: Date,
    windowMs: number,
  ): Promise<Map<string, WindowUsage[]>> {
    // Bucket starts and the window start are whole seconds: the window a bucket falls in is
    // floor((seconds before the window start - 1) / window seconds).
    const rows: Array<{ id: string; requests: number; cost: string }> = await this.dataSource.query(
      `SELECT ${COLUMN[level]} AS id, sum(requests)::int AS requests, sum(cost_micro_usd)::bigint AS cost
         FROM key_usage_buckets
        WHERE ${COLUMN[level]} = ANY($1::uuid[]) AND bucket_start >= $2 AND bucket_start < $3
        GROUP BY ${COLUMN[level]}, floor((extract(epoch FROM $3::timestamptz - bucket_start) - 1) / $4)`,
      [ids, baselineStart, windowStart, windowMs / 1_000],
    );
    const windows = new Map<string, WindowUsage[]>(ids.map((id) => [id, []]));
    for (const row of rows) windows.get(row.id)?.push({ requests: row.requests, costMicroUsd: Number(row.cost) });
    return windows;
  }

  /** A project's keys used since `from`, with their usage. */
  async keysOfProject(projectId: string, from: Date): Promise<ObservedUsage[]> {
    const rows: Array<{ id: string; requests: number; cost: string }> = await this.dataSource.query(
      `SELECT key_id AS id, sum(requests)::int AS requests, sum(cost_micro_usd)::bigint AS cost
         FROM key_usage_buckets WHERE project_id = $1 AND bucket_start >= $2
        GROUP BY key_id`,
      [projectId, from],
    );
    return rows.map((row) => ({ id: row.id, requests: row.requests, costMicroUsd: Number(row.cost) }));
  }

  /** The subject's models since `from`, the costliest first (then the busiest). */
  async topModels(level: UsageLevel, id: string, from: Date, limit = 3): Promise<ModelUsage[]> {
    const rows: Array<{ model: string; requests: number; cost: string }> = await this.dataSource.query(
      `SELECT model, sum(requests)::int AS requests, sum(cost_micro_usd)::bigint AS cost
         FROM key_usage_buckets WHERE ${COLUMN[level]} = $1 AND bucket_start >= $2
        GROUP BY model ORDER BY cost DESC, requests DESC, model LIMIT $3`,
      [id, from, limit],
    );
    return rows.map((row) => ({ model: row.model, requests: row.requests, costMicroUsd: Number(row.cost) }));
  }
}

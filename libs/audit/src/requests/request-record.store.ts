import { Injectable } from '@nestjs/common';
import { DataSource, QueryFailedError } from 'typeorm';
import { RequestRecordPartitions } from './request-record.partitions';
import { RECORD_COLUMNS, RequestRecord } from './request-record';

const COLUMN_LIST = RECORD_COLUMNS.map(([name]) => name).join(', ');
/**
 * Each column read from its place in the row's JSON array: jsonb indexes an array in constant time, and
 * rows without their 39 key names are half the text to parse. A JSON null in a jsonb column is stored as
 * SQL NULL, as before.
 */
const ROW_VALUES = RECORD_COLUMNS.map(([, type], i) => {
  if (type === 'jsonb') return `nullif(item->${i}, 'null')`;
  return type === 'text' ? `item->>${i}` : `(item->>${i})::${type}`;
}).join(', ');

/**
 * One statement writes a batch and folds it into the daily rollups. A key's owner is fixed when the key is
 * issued, so it is one value per rollup row and needs no place in the conflict key. Rows already present (a retried batch
 * whose first write did commit) are skipped by ON CONFLICT, and only rows really inserted reach the
 * rollups, so a retry never counts twice. The batch travels as one JSON parameter, whatever its size: an
 * array of rows, each an array of the columns' values in `RECORD_COLUMNS` order (`encodeBatch`).
 */
const INSERT_BATCH = `
  WITH inserted AS (
    INSERT INTO request_records (${COLUMN_LIST})
    SELECT ${ROW_VALUES} FROM jsonb_array_elements($1::jsonb) AS batch(item)
    ON CONFLICT DO NOTHING
    RETURNING created_at, key_id, owner, team_id, project_id, model_served, model_requested, api, error_code,
              prompt_tokens, cached_tokens, completion_tokens, reasoning_tokens, cost_micro_usd, images
  ), rolled_up AS (
    INSERT INTO usage_daily AS u (day, key_id, model, api, team_id, project_id, owner, requests, errors, prompt_tokens,
                                  cached_tokens, completion_tokens, reasoning_tokens, cost_micro_usd, images)
    SELECT (created_at AT TIME ZONE 'UTC')::date, key_id, coalesce(model_served, model_requested, ''), coalesce(api, ''), team_id, project_id,
           owner, count(*), count(error_code), coalesce(sum(prompt_tokens), 0), coalesce(sum(cached_tokens), 0),
           coalesce(sum(completion_tokens), 0), coalesce(sum(reasoning_tokens), 0), coalesce(sum(cost_micro_usd), 0),
           coalesce(sum(images), 0)
    FROM inserted
    WHERE key_id IS NOT NULL
    GROUP BY 1, 2, 3, 4, 5, 6, 7
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (day, key_id, model, api) DO UPDATE SET
      requests = u.requests + EXCLUDED.requests,
      errors = u.errors + EXCLUDED.errors,
      prompt_tokens = u.prompt_tokens + EXCLUDED.prompt_tokens,
      cached_tokens = u.cached_tokens + EXCLUDED.cached_tokens,
      completion_tokens = u.completion_tokens + EXCLUDED.completion_tokens,
      reasoning_tokens = u.reasoning_tokens + EXCLUDED.reasoning_tokens,
      cost_micro_usd = u.cost_micro_usd + EXCLUDED.cost_micro_usd,
      images = u.images + EXCLUDED.images
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM inserted)::int AS inserted`;

// Postgres reports a row outside every partition as a check violation.
const CHECK_VIOLATION = '23514';
// SQLSTATE classes 22 (data exception) and 23 (integrity constraint violation): the rows, not the database.
const REFUSED_DATA = /^2[23]/;

@Injectable()
export class RequestRecordStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly partitions: RequestRecordPartitions,
  ) {}

  /** Writes a batch; returns how many rows were new (the rest were already stored). */
  async insert(batch: readonly RequestRecord[]): Promise<number> {
    try {
      return await this.write(batch);
    } catch (error) {
      if (!isMissingPartition(error)) throw error;
      // The maintenance job creates partitions ahead; this covers a clock jump or a long-stopped job.
      await this.partitions.ensureFor(batch.map((record) => new Date(record.created_at)));
      return this.write(batch);
    }
  }

  private async write(batch: readonly RequestRecord[]): Promise<number> {
    const [result] = await this.dataSource.query<[{ inserted: number }]>(INSERT_BATCH, [encodeBatch(batch)]);
    return result.inserted;
  }
}

/** `[[id, created_at, …], …]`: each record's values in `RECORD_COLUMNS` order (undefined, from an older spill, as null). */
function encodeBatch(batch: readonly RequestRecord[]): string {
  return JSON.stringify(batch.map((record) => RECORD_COLUMNS.map(([name]) => record[name] ?? null)));
}

/** True when Postgres refused what was written rather than failing to take it: retrying cannot help. */
export function isRefusedData(error: unknown): boolean {
  return REFUSED_DATA.test(sqlState(error) ?? '') && !isMissingPartition(error);
}

function isMissingPartition(error: unknown): boolean {
  return sqlState(error) === CHECK_VIOLATION && /no partition/.test((error as Error).message);
}

function sqlState(error: unknown): string | undefined {
  return error instanceof QueryFailedError ? (error.driverError as { code?: string }).code : undefined;
}

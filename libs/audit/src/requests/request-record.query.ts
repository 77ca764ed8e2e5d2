import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { GatewayError, InboundApiName } from '@app/common';
import { RECORD_COLUMNS, RequestRecord } from './request-record';

/** The status classes the search takes besides exact statuses. */
export const STATUS_CLASSES = ['2xx', '3xx', '4xx', '5xx'] as const;
export type StatusClass = (typeof STATUS_CLASSES)[number];

export interface RecordFilter {
  requestId?: string;
  teamId?: string;
  projectId?: string;
  keyId?: string;
  owner?: string;
  /** Only records of these teams (a team admin's); unset: every record, those of no team included. */
  teamIds?: readonly string[];
  /** Matches the requested or the served model. */
  model?: string;
  api?: InboundApiName;
  /** An exact status (429) or a class (`5xx`). */
  status?: number | StatusClass;
  /**
   * true: requests whose route gave up on the requested model and moved on to a fallback model
   * (`fallback_reason` says why), whether the fallback then served them or failed too; false: the others.
   * Retries within the requested model are not fallbacks (`attempts` shows them).
   */
  fallback?: boolean;
  errorCode?: string;
  /** Inclusive. */
  since?: Date;
  /** Exclusive. */
  until?: Date;
}

export interface RecordPage {
  data: RequestRecord[];
  /** Pass back as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

/** A position in (created_at, id) order; created_at as text, to keep its microseconds. */
type Position = readonly [createdAt: string, id: string];

const EXPORT_BATCH_ROWS = 1_000;
const CURSOR_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const SELECT_LIST = RECORD_COLUMNS.map(([name, type]) => {
  if (name === 'created_at')
    return `to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at`;
  if (type === 'inet') return `host(${name}) AS ${name}`;
  return name;
}).join(', ');

/**
 * Reads request records: newest first in pages, one by request id, or everything matching a filter in
 * oldest-first batches for export. Every read is keyset-paginated on the primary key (created_at, id), so
 * no query holds more than a page in memory or a connection for longer than one short statement.
 */
@Injectable()
export class RequestRecordQuery {
  constructor(private readonly dataSource: DataSource) {}

  async list(filter: RecordFilter, limit: number, cursor?: string): Promise<RecordPage> {
    const data = await this.select(filter, 'DESC', limit, cursor === undefined ? undefined : decodeCursor(cursor));
    const last = data.at(-1);
    return { data, nextCursor: data.length === limit && last ? encodeCursor([last.created_at, last.id]) : null };
  }

  /**
   * The record of a request id; if a caller reused its `x-request-id`, the latest of them. With `teamIds`,
   * the latest of those teams' records.
   */
  async get(requestId: string, teamIds?: readonly string[]): Promise<RequestRecord | null> {
    const params: unknown[] = [requestId];
    const where = ['request_id = $1', ...conditions({ teamIds }, params)].join(' AND ');
    const rows = await this.dataSource.query<RecordRow[]>(
      `SELECT ${SELECT_LIST} FROM request_records r WHERE ${where} ORDER BY r.created_at DESC, r.id DESC LIMIT 1`,
      params,
    );
    return rows.length > 0 ? fromRow(rows[0]) : null;
  }

  /** Every matching record, oldest first, in batches; records arriving during the export are left out. */
  async *export(filter: RecordFilter): AsyncGenerator<RequestRecord[]> {
    const bounded = { ...filter, until: filter.until ?? new Date() };
    let after: Position | undefined;
    for (;;) {
      const batch = await this.select(bounded, 'ASC', EXPORT_BATCH_ROWS, after);
      if (batch.length > 0) yield batch;
      if (batch.length < EXPORT_BATCH_ROWS) return;
      const last = batch[batch.length - 1];
      after = [last.created_at, last.id];
    }
  }

  private async select(
    filter: RecordFilter,
    order: 'ASC' | 'DESC',
    limit: number,
    from?: Position,
  ): Promise<RequestRecord[]> {
    const params: unknown[] = [];
    const where = conditions(filter, params);
    if (from) {
      where.push(
        `(created_at, id) ${order === 'DESC' ? '<' : '>'} ($${params.push(from[0])}::timestamptz, $${params.push(from[1])}::uuid)`,
      );
    }
    // Ordered by the table's columns (r.), not the formatted output column of the same name, so the primary key index serves it.
    const sql = `SELECT ${SELECT_LIST} FROM request_records r ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
                 ORDER BY r.created_at ${order}, r.id ${order} LIMIT $${params.push(limit)}`;
    return (await this.dataSource.query<RecordRow[]>(sql, params)).map(fromRow);
  }
}

function conditions(filter: RecordFilter, params: unknown[]): string[] {
  const where: string[] = [];
  const equal = (column: string, value: unknown) => where.push(`${column} = $${params.push(value)}`);
  if (filter.requestId) equal('request_id', filter.requestId);
  if (filter.teamId) equal('team_id', filter.teamId);
  if (filter.projectId) equal('project_id', filter.projectId);
  if (filter.keyId) equal('key_id', filter.keyId);
  if (filter.owner) equal('owner', filter.owner);
  if (filter.teamIds) where.push(`team_id = ANY($${params.push(filter.teamIds)}::uuid[])`);
  if (filter.api) equal('api', filter.api);
  if (typeof filter.status === 'number') equal('status', filter.status);
  // A class as literal bounds (from the fixed list, never client text), so the planner sees that 3xx–5xx
  // lie inside the partial index of non-2xx records; rare statuses would otherwise scan the whole range.
  else if (filter.status) where.push(`status BETWEEN ${classLow(filter.status)} AND ${classLow(filter.status) + 99}`);
  // Fallbacks are rare: a partial index holds the records that have a fallback_reason.
  if (filter.fallback !== undefined) where.push(`fallback_reason IS ${filter.fallback ? 'NOT NULL' : 'NULL'}`);
  if (filter.errorCode) equal('error_code', filter.errorCode);
  if (filter.model) {
    const n = params.push(filter.model);
    where.push(`(model_requested = $${n} OR model_served = $${n})`);
  }
  if (filter.since) where.push(`created_at >= $${params.push(filter.since)}`);
  if (filter.until) where.push(`created_at < $${params.push(filter.until)}`);
  return where;
}

function classLow(statusClass: StatusClass): number {
  return STATUS_CLASSES.indexOf(statusClass) * 100 + 200;
}

/** A row as the driver returns it: bigint arrives as a string. */
type RecordRow = Omit<RequestRecord, 'cost_micro_usd'> & { cost_micro_usd: string | null };

function fromRow(row: RecordRow): RequestRecord {
  return { ...row, cost_micro_usd: row.cost_micro_usd === null ? null : Number(row.cost_micro_usd) };
}

function encodeCursor(position: Position): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

function isPosition(value: unknown): value is Position {
  if (!Array.isArray(value) || value.length !== 2) return false;
  const [createdAt, id] = value as unknown[];
  return typeof createdAt === 'string' && typeof id === 'string' && CURSOR_TIME.test(createdAt) && UUID.test(id);
}

function decodeCursor(cursor: string): Position {
  try {
    const position: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (isPosition(position)) return position;
  } catch {
    // Reported below.
  }
  throw new GatewayError('invalid_request_error', 'cursor: not a cursor returned by this API', { param: 'cursor' });
}

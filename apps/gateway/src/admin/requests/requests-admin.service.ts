import { Injectable } from '@nestjs/common';
import { Readable } from 'node:stream';
import { z } from 'zod';
import { EXPORT_FORMATS, exportChunks, RecordFilter, RequestRecordQuery, STATUS_CLASSES } from '@app/audit';
import { GatewayError, INBOUND_APIS } from '@app/common';
import { AdminActor, visibleTeams } from '../shared/admin-actor';
import { parseAdminInput } from '../shared/admin-input';
import { pageView } from '../shared/list.view';

const filterFields = {
  request_id: z.string().min(1).max(128).optional(),
  team_id: z.uuid().optional(),
  project_id: z.uuid().optional(),
  key_id: z.uuid().optional(),
  owner: z.string().min(1).max(200).optional(),
  model: z.string().min(1).max(256).optional(),
  api: z.enum(INBOUND_APIS).optional(),
  status: z
    .union([z.enum(STATUS_CLASSES), z.coerce.number().int().min(100).max(599)], {
      error: 'expected a status (e.g. 429) or a class: 2xx, 3xx, 4xx, 5xx',
    })
    .optional(),
  /** true: the route moved on to a fallback model (see RecordFilter.fallback); false: it did not. */
  fallback: z
    .enum(['true', 'false'], { error: 'expected true or false' })
    .transform((value) => value === 'true')
    .optional(),
  error_code: z.string().min(1).max(64).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
};
export const listQuery = z.strictObject({
  ...filterFields,
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
export const exportQuery = z.strictObject({ ...filterFields, format: z.enum(['csv', 'jsonl']).default('jsonl') });

/** An export ready to send: the controller writes it to the reply as an attachment. */
export interface RecordExport {
  contentType: string;
  filename: string;
  body: Readable;
}

/**
 * The per-request evidence: search, look up by request id, export. A team admin sees its teams' records
 * only: the filter is narrowed, never widened, and another team's request id answers as an unknown one.
 */
@Injectable()
export class RequestsAdminService {
  constructor(private readonly records: RequestRecordQuery) {}

  /** Newest first; follow `next_cursor` for older pages. */
  async list(actor: AdminActor, query: unknown) {
    const { cursor, limit, ...filter } = parseAdminInput(listQuery, query);
    return pageView(await this.records.list(recordFilter(actor, filter), limit, cursor));
  }

  /** Streamed in batches with back-pressure: memory stays flat however many records match. */
  async export(actor: AdminActor, query: unknown): Promise<RecordExport> {
    const { format, ...filter } = parseAdminInput(exportQuery, query);
    return {
      contentType: EXPORT_FORMATS[format].contentType,
      filename: `requests.${format}`,
      body: Readable.from(exportChunks(format, this.records.export(recordFilter(actor, filter)))),
    };
  }

  async get(actor: AdminActor, requestId: string) {
    const record = await this.records.get(requestId, visibleTeams(actor));
    if (!record) throw new GatewayError('not_found', `No request record with id ${requestId}.`);
    return record;
  }
}

function recordFilter(actor: AdminActor, query: z.infer<z.ZodObject<typeof filterFields>>): RecordFilter {
  return {
    teamIds: visibleTeams(actor),
    requestId: query.request_id,
    teamId: query.team_id,
    projectId: query.project_id,
    keyId: query.key_id,
    owner: query.owner,
    model: query.model,
    api: query.api,
    status: query.status,
    fallback: query.fallback,
    errorCode: query.error_code,
    since: query.since === undefined ? undefined : new Date(query.since),
    until: query.until === undefined ? undefined : new Date(query.until),
  };
}

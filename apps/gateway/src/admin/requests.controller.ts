import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Readable } from 'node:stream';
import { z } from 'zod';
import { EXPORT_FORMATS, exportChunks, RecordFilter, RequestRecordQuery } from '@app/audit';
import { AdminOnly } from '@app/auth';
import { GatewayError } from '@app/common';
import { parseAdminBody } from './admin-body';

const filterFields = {
  request_id: z.string().min(1).max(128).optional(),
  team_id: z.uuid().optional(),
  project_id: z.uuid().optional(),
  key_id: z.uuid().optional(),
  model: z.string().min(1).max(256).optional(),
  status: z.coerce.number().int().min(100).max(599).optional(),
  error_code: z.string().min(1).max(64).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
};
const listQuery = z.strictObject({
  ...filterFields,
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
const exportQuery = z.strictObject({ ...filterFields, format: z.enum(['csv', 'jsonl']).default('jsonl') });

/** The per-request evidence: search, look up by request id, export. */
@AdminOnly()
@Controller('admin/requests')
export class RequestsController {
  constructor(private readonly records: RequestRecordQuery) {}

  /** Newest first; follow `next_cursor` for older pages. */
  @Get()
  async list(@Query() query: unknown) {
    const { cursor, limit, ...filter } = parseAdminBody(listQuery, query);
    const page = await this.records.list(recordFilter(filter), limit, cursor);
    return { object: 'list', data: page.data, next_cursor: page.nextCursor };
  }

  /** Streamed in batches with back-pressure: memory stays flat however many records match. */
  @Get('export')
  async export(@Query() query: unknown, @Res() reply: FastifyReply): Promise<void> {
    const { format, ...filter } = parseAdminBody(exportQuery, query);
    await reply
      .header('content-type', EXPORT_FORMATS[format].contentType)
      .header('content-disposition', `attachment; filename="requests.${format}"`)
      .send(Readable.from(exportChunks(format, this.records.export(recordFilter(filter)))));
  }

  @Get(':request_id')
  async get(@Param('request_id') requestId: string) {
    const record = await this.records.get(requestId);
    if (!record) throw new GatewayError('not_found', `No request record with id ${requestId}.`);
    return record;
  }
}

function recordFilter(query: z.infer<z.ZodObject<typeof filterFields>>): RecordFilter {
  return {
    requestId: query.request_id,
    teamId: query.team_id,
    projectId: query.project_id,
    keyId: query.key_id,
    model: query.model,
    status: query.status,
    errorCode: query.error_code,
    since: query.since === undefined ? undefined : new Date(query.since),
    until: query.until === undefined ? undefined : new Date(query.until),
  };
}

import { Controller, Get, Query } from '@nestjs/common';
import { z } from 'zod';
import { AuditTrail } from '@app/audit';
import { AdminOnly } from '@app/auth';
import { parseAdminBody } from './admin-body';

const listQuery = z.strictObject({
  actor: z.string().min(1).max(200).optional(),
  action: z.string().min(1).max(100).optional(),
  target_type: z.string().min(1).max(100).optional(),
  target_id: z.string().min(1).max(200).optional(),
  cursor: z.coerce.number().int().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

/** The admin audit trail: every admin change, hash-chained. */
@AdminOnly()
@Controller('admin/audit-events')
export class AuditEventsController {
  constructor(private readonly trail: AuditTrail) {}

  /** Newest first; follow `next_cursor` for older events. */
  @Get()
  async list(@Query() query: unknown) {
    const { cursor, limit, actor, action, target_type, target_id } = parseAdminBody(listQuery, query);
    const page = await this.trail.list({ actor, action, targetType: target_type, targetId: target_id }, limit, cursor);
    return { object: 'list', data: page.data, next_cursor: page.nextCursor };
  }

  /** Recomputes the whole chain: `ok` false names the first event that was changed, removed or inserted. */
  @Get('verify')
  verify() {
    return this.trail.verify();
  }
}

import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { AuditTrail } from '@app/audit';
import { parseAdminInput } from '../shared/admin-input';
import { pageView } from '../shared/list.view';

const listQuery = z.strictObject({
  actor: z.string().min(1).max(200).optional(),
  action: z.string().min(1).max(100).optional(),
  target_type: z.string().min(1).max(100).optional(),
  target_id: z.string().min(1).max(200).optional(),
  cursor: z.coerce.number().int().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

/** The admin audit trail: every admin change, hash-chained. */
@Injectable()
export class AuditEventsAdminService {
  constructor(private readonly trail: AuditTrail) {}

  /** Newest first; follow `next_cursor` for older events. */
  async list(query: unknown) {
    const { cursor, limit, actor, action, target_type, target_id } = parseAdminInput(listQuery, query);
    return pageView(
      await this.trail.list({ actor, action, targetType: target_type, targetId: target_id }, limit, cursor),
    );
  }

  /** Recomputes the whole chain: `ok` false names the first event that was changed, removed or inserted. */
  verify() {
    return this.trail.verify();
  }
}

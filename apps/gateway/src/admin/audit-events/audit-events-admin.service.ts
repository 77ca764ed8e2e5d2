import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { AccessLog, AuditTrail } from '@app/audit';
import { parseAdminInput } from '../shared/admin-input';
import { pageView } from '../shared/list.view';

const page = {
  cursor: z.coerce.number().int().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
};
export const changesQuery = z.strictObject({
  actor: z.string().min(1).max(200).optional(),
  action: z.string().min(1).max(100).optional(),
  target_type: z.string().min(1).max(100).optional(),
  target_id: z.string().min(1).max(200).optional(),
  ...page,
});
export const callsQuery = z.strictObject({
  actor: z.string().min(1).max(200).optional(),
  outcome: z.enum(['allowed', 'refused']).optional(),
  route: z.string().min(1).max(256).optional(),
  ...page,
});

/** The two hash chains: every admin change (the audit trail) and every admin call (the access log). */
@Injectable()
export class AuditEventsAdminService {
  constructor(
    private readonly trail: AuditTrail,
    private readonly accessLog: AccessLog,
  ) {}

  /** Newest first; follow `next_cursor` for older events. */
  async list(query: unknown) {
    const { cursor, limit, actor, action, target_type, target_id } = parseAdminInput(changesQuery, query);
    return pageView(
      await this.trail.list({ actor, action, targetType: target_type, targetId: target_id }, limit, cursor),
    );
  }

  /** Recomputes the whole chain: `ok` false names the first event that was changed, removed or inserted. */
  verify() {
    return this.trail.verify();
  }

  /** Admin calls, newest first: who called which route with what, and whether the role allowed it. */
  async listCalls(query: unknown) {
    const { cursor, limit, ...filter } = parseAdminInput(callsQuery, query);
    return pageView(await this.accessLog.list(filter, limit, cursor));
  }

  verifyCalls() {
    return this.accessLog.verify();
  }
}

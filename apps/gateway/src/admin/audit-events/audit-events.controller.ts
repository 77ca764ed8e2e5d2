import { Controller, Get, Query } from '@nestjs/common';
import { AdminAccess, AdminOnly } from '@app/auth';
import { AuditEventsAdminService } from './audit-events-admin.service';

/** Both chains hold every team's events, so team admins do not read them; auditors and owners do. */
@AdminOnly()
@Controller('admin')
export class AuditEventsController {
  constructor(private readonly auditEvents: AuditEventsAdminService) {}

  @Get('audit-events')
  @AdminAccess('read', 'global')
  list(@Query() query: unknown) {
    return this.auditEvents.list(query);
  }

  @Get('audit-events/verify')
  @AdminAccess('read', 'global')
  verify() {
    return this.auditEvents.verify();
  }

  @Get('access-events')
  @AdminAccess('read', 'global')
  listCalls(@Query() query: unknown) {
    return this.auditEvents.listCalls(query);
  }

  @Get('access-events/verify')
  @AdminAccess('read', 'global')
  verifyCalls() {
    return this.auditEvents.verifyCalls();
  }
}

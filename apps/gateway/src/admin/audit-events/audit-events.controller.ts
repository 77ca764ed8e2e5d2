import { Controller, Get, Query } from '@nestjs/common';
import { AdminOnly } from '@app/auth';
import { AuditEventsAdminService } from './audit-events-admin.service';

@AdminOnly()
@Controller('admin/audit-events')
export class AuditEventsController {
  constructor(private readonly auditEvents: AuditEventsAdminService) {}

  @Get()
  list(@Query() query: unknown) {
    return this.auditEvents.list(query);
  }

  @Get('verify')
  verify() {
    return this.auditEvents.verify();
  }
}

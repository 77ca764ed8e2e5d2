import { Controller, Get, Query } from '@nestjs/common';
import { AdminAccess, AdminOnly } from '@app/auth';
import { Actor, type AdminActor } from '../shared/admin-actor';
import { UsageAdminService } from './usage-admin.service';

@AdminOnly()
@Controller('admin/usage')
export class UsageController {
  constructor(private readonly usage: UsageAdminService) {}

  @Get()
  @AdminAccess('read')
  report(@Actor() actor: AdminActor, @Query() query: unknown) {
    return this.usage.report(actor, query);
  }
}

import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { AdminAccess, AdminOnly } from '@app/auth';
import { Actor, type AdminActor } from '../shared/admin-actor';
import { AlertsAdminService } from './alerts-admin.service';

@AdminOnly()
@Controller('admin/alerts')
export class AlertsController {
  constructor(private readonly alerts: AlertsAdminService) {}

  @Get()
  @AdminAccess('read', 'team')
  list(@Actor() actor: AdminActor, @Query() query: unknown) {
    return this.alerts.list(actor, query);
  }

  @Post(':id/ack')
  @AdminAccess('write', 'team')
  @HttpCode(200)
  acknowledge(@Actor() actor: AdminActor, @Param('id') id: string) {
    return this.alerts.acknowledge(actor, id);
  }
}

import { Body, Controller, Param, Put } from '@nestjs/common';
import { AdminAccess, AdminOnly } from '@app/auth';
import { Actor, type AdminActor } from '../shared/admin-actor';
import { AccessAdminService } from './access-admin.service';

@AdminOnly()
@Controller('admin')
export class AccessController {
  constructor(private readonly access: AccessAdminService) {}

  @Put('keys/:id/access')
  @AdminAccess('write')
  setKeyAccess(@Actor() actor: AdminActor, @Param('id') id: string, @Body() body: unknown) {
    return this.access.setKeyAccess(actor, id, body);
  }

  @Put('projects/:id/access')
  @AdminAccess('write')
  setProjectAccess(@Actor() actor: AdminActor, @Param('id') id: string, @Body() body: unknown) {
    return this.access.setProjectAccess(actor, id, body);
  }
}

import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { AdminAccess, AdminOnly } from '@app/auth';
import { Actor, type AdminActor } from '../shared/admin-actor';
import { KeysAdminService } from './keys-admin.service';

@AdminOnly()
@Controller('admin/keys')
export class KeysController {
  constructor(private readonly keys: KeysAdminService) {}

  @Post()
  @AdminAccess('write')
  @HttpCode(201)
  create(@Actor() actor: AdminActor, @Body() body: unknown) {
    return this.keys.create(actor, body);
  }

  @Get()
  @AdminAccess('read')
  list(@Actor() actor: AdminActor, @Query('project_id') projectId?: string) {
    return this.keys.list(actor, projectId);
  }

  @Post(':id/revoke')
  @AdminAccess('write')
  @HttpCode(200)
  revoke(@Actor() actor: AdminActor, @Param('id') id: string) {
    return this.keys.revoke(actor, id);
  }

  @Post(':id/resume')
  @AdminAccess('write')
  @HttpCode(200)
  resume(@Actor() actor: AdminActor, @Param('id') id: string) {
    return this.keys.resume(actor, id);
  }

  @Post(':id/rotate')
  @AdminAccess('write')
  @HttpCode(201)
  rotate(@Actor() actor: AdminActor, @Param('id') id: string) {
    return this.keys.rotate(actor, id);
  }
}

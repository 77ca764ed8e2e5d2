import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { AdminAccess, AdminOnly } from '@app/auth';
import { Actor, type AdminActor } from '../shared/admin-actor';
import { ConfigAdminService } from './config-admin.service';

@AdminOnly()
@Controller('admin/config')
export class ConfigController {
  constructor(private readonly config: ConfigAdminService) {}

  @Get()
  @AdminAccess('read', 'global')
  summary(@Actor() actor: AdminActor) {
    return this.config.summary(actor);
  }

  @Post('reload')
  @AdminAccess('write', 'global')
  @HttpCode(200)
  reload(@Actor() actor: AdminActor) {
    return this.config.reload(actor);
  }
}

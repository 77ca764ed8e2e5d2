import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { AdminAccess, AdminOnly } from '@app/auth';
import { Actor, type AdminActor } from '../shared/admin-actor';
import { TokensAdminService } from './tokens-admin.service';

@AdminOnly()
@Controller('admin')
export class TokensController {
  constructor(private readonly tokens: TokensAdminService) {}

  @Get('whoami')
  @AdminAccess('read')
  whoami(@Actor() actor: AdminActor) {
    return this.tokens.whoami(actor);
  }

  @Post('tokens')
  @AdminAccess('write')
  @HttpCode(201)
  create(@Actor() actor: AdminActor, @Body() body: unknown) {
    return this.tokens.create(actor, body);
  }

  @Get('tokens')
  @AdminAccess('read')
  list(@Actor() actor: AdminActor) {
    return this.tokens.list(actor);
  }

  @Post('tokens/:id/revoke')
  @AdminAccess('write')
  @HttpCode(200)
  revoke(@Actor() actor: AdminActor, @Param('id') id: string) {
    return this.tokens.revoke(actor, id);
  }

  @Post('tokens/:id/rotate')
  @AdminAccess('write')
  @HttpCode(201)
  rotate(@Actor() actor: AdminActor, @Param('id') id: string) {
    return this.tokens.rotate(actor, id);
  }
}

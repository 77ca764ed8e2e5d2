import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AdminAccess, AdminOnly } from '@app/auth';
import { Actor, type AdminActor } from '../shared/admin-actor';
import { RequestsAdminService } from './requests-admin.service';

@AdminOnly()
@Controller('admin/requests')
export class RequestsController {
  constructor(private readonly requests: RequestsAdminService) {}

  @Get()
  @AdminAccess('read')
  list(@Actor() actor: AdminActor, @Query() query: unknown) {
    return this.requests.list(actor, query);
  }

  @Get('export')
  @AdminAccess('read')
  async export(@Actor() actor: AdminActor, @Query() query: unknown, @Res() reply: FastifyReply): Promise<void> {
    const file = await this.requests.export(actor, query);
    await reply
      .header('content-type', file.contentType)
      .header('content-disposition', `attachment; filename="${file.filename}"`)
      .send(file.body);
  }

  @Get(':request_id')
  @AdminAccess('read')
  get(@Actor() actor: AdminActor, @Param('request_id') requestId: string) {
    return this.requests.get(actor, requestId);
  }
}

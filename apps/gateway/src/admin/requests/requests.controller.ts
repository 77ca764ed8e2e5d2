import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AdminOnly } from '@app/auth';
import { RequestsAdminService } from './requests-admin.service';

@AdminOnly()
@Controller('admin/requests')
export class RequestsController {
  constructor(private readonly requests: RequestsAdminService) {}

  @Get()
  list(@Query() query: unknown) {
    return this.requests.list(query);
  }

  @Get('export')
  async export(@Query() query: unknown, @Res() reply: FastifyReply): Promise<void> {
    const file = await this.requests.export(query);
    await reply
      .header('content-type', file.contentType)
      .header('content-disposition', `attachment; filename="${file.filename}"`)
      .send(file.body);
  }

  @Get(':request_id')
  get(@Param('request_id') requestId: string) {
    return this.requests.get(requestId);
  }
}

import { Controller, Get, Query } from '@nestjs/common';
import { AdminOnly } from '@app/auth';
import { UsageAdminService } from './usage-admin.service';

@AdminOnly()
@Controller('admin/usage')
export class UsageController {
  constructor(private readonly usage: UsageAdminService) {}

  @Get()
  report(@Query() query: unknown) {
    return this.usage.report(query);
  }
}

import { Body, Controller, Delete, Get, HttpCode, Param, Put } from '@nestjs/common';
import { AdminAccess, AdminOnly } from '@app/auth';
import { Actor, type AdminActor } from '../shared/admin-actor';
import { QuotaAdminService } from './quota-admin.service';

/** Budgets, balances and rate limits of teams, projects and keys: `/admin/{teams|projects|keys}/{id}/…`. */
@AdminOnly()
@Controller('admin')
export class QuotaController {
  constructor(private readonly quota: QuotaAdminService) {}

  @Put(':scope/:id/budget')
  @AdminAccess('write')
  setBudget(@Actor() actor: AdminActor, @Param('scope') scope: string, @Param('id') id: string, @Body() body: unknown) {
    return this.quota.setBudget(actor, scope, id, body);
  }

  @Delete(':scope/:id/budget')
  @AdminAccess('write')
  @HttpCode(204)
  removeBudget(@Actor() actor: AdminActor, @Param('scope') scope: string, @Param('id') id: string): Promise<void> {
    return this.quota.removeBudget(actor, scope, id);
  }

  @Get(':scope/:id/balance')
  @AdminAccess('read')
  balance(@Actor() actor: AdminActor, @Param('scope') scope: string, @Param('id') id: string) {
    return this.quota.balance(actor, scope, id);
  }

  @Put(':scope/:id/rate-limits')
  @AdminAccess('write')
  setRateLimits(
    @Actor() actor: AdminActor,
    @Param('scope') scope: string,
    @Param('id') id: string,
    @Body() body: unknown,
  ) {
    return this.quota.setRateLimits(actor, scope, id, body);
  }

  @Get(':scope/:id/rate-limits')
  @AdminAccess('read')
  getRateLimits(@Actor() actor: AdminActor, @Param('scope') scope: string, @Param('id') id: string) {
    return this.quota.getRateLimits(actor, scope, id);
  }

  /** This instance's counters, summed over every team. */
  @Get('quota/stats')
  @AdminAccess('read', 'global')
  quotaStats() {
    return this.quota.quotaStats();
  }
}

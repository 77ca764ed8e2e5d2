import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { AdminOnly } from '@app/auth';
import { Actor, type AdminActor } from '../shared/admin-actor';
import { TenancyAdminService } from './tenancy-admin.service';

@AdminOnly()
@Controller('admin')
export class TenancyController {
  constructor(private readonly tenancy: TenancyAdminService) {}

  @Post('teams')
  @HttpCode(201)
  createTeam(@Actor() actor: AdminActor, @Body() body: unknown) {
    return this.tenancy.createTeam(actor, body);
  }

  @Get('teams')
  listTeams() {
    return this.tenancy.listTeams();
  }

  @Post('projects')
  @HttpCode(201)
  createProject(@Actor() actor: AdminActor, @Body() body: unknown) {
    return this.tenancy.createProject(actor, body);
  }

  @Get('projects')
  listProjects(@Query('team_id') teamId?: string) {
    return this.tenancy.listProjects(teamId);
  }
}

import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { AdminAccess, AdminOnly } from '@app/auth';
import { Actor, type AdminActor } from '../shared/admin-actor';
import { TenancyAdminService } from './tenancy-admin.service';

@AdminOnly()
@Controller('admin')
export class TenancyController {
  constructor(private readonly tenancy: TenancyAdminService) {}

  /** A team is nobody's until it exists: owners create teams, team admins work inside theirs. */
  @Post('teams')
  @AdminAccess('write', 'global')
  @HttpCode(201)
  createTeam(@Actor() actor: AdminActor, @Body() body: unknown) {
    return this.tenancy.createTeam(actor, body);
  }

  @Get('teams')
  @AdminAccess('read')
  listTeams(@Actor() actor: AdminActor) {
    return this.tenancy.listTeams(actor);
  }

  @Post('projects')
  @AdminAccess('write')
  @HttpCode(201)
  createProject(@Actor() actor: AdminActor, @Body() body: unknown) {
    return this.tenancy.createProject(actor, body);
  }

  @Get('projects')
  @AdminAccess('read')
  listProjects(@Actor() actor: AdminActor, @Query('team_id') teamId?: string) {
    return this.tenancy.listProjects(actor, teamId);
  }

  @Patch('projects/:id')
  @AdminAccess('write')
  updateProject(@Actor() actor: AdminActor, @Param('id') id: string, @Body() body: unknown) {
    return this.tenancy.updateProject(actor, id, body);
  }

  @Post('projects/:id/resume')
  @AdminAccess('write')
  @HttpCode(200)
  resumeProject(@Actor() actor: AdminActor, @Param('id') id: string) {
    return this.tenancy.resumeProject(actor, id);
  }
}

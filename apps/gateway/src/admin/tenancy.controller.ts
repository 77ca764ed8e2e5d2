import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { z } from 'zod';
import { AuditTrail } from '@app/audit';
import { AdminOnly, ProjectEntity, TeamEntity, TenancyService } from '@app/auth';
import { AdminActor } from './admin-actor';
import { parseAdminBody, parseId } from './admin-body';

const nameField = z.string().trim().min(1).max(200);
const createTeamBody = z.strictObject({ name: nameField });
const createProjectBody = z.strictObject({ name: nameField, team_id: z.uuid() });

@AdminOnly()
@Controller('admin')
export class TenancyController {
  constructor(
    private readonly tenancy: TenancyService,
    private readonly trail: AuditTrail,
  ) {}

  @Post('teams')
  @HttpCode(201)
  async createTeam(@Body() body: unknown, @AdminActor() actor: string) {
    const { name } = parseAdminBody(createTeamBody, body);
    return this.trail.transact(actor, async (tx) => {
      const team = teamView(await this.tenancy.createTeam(name, tx.manager));
      await tx.record({ action: 'team.create', target: { type: 'team', id: team.id }, after: team });
      return team;
    });
  }

  @Get('teams')
  async listTeams() {
    return { object: 'list', data: (await this.tenancy.listTeams()).map(teamView) };
  }

  @Post('projects')
  @HttpCode(201)
  async createProject(@Body() body: unknown, @AdminActor() actor: string) {
    const { name, team_id } = parseAdminBody(createProjectBody, body);
    return this.trail.transact(actor, async (tx) => {
      const project = projectView(await this.tenancy.createProject(team_id, name, tx.manager));
      await tx.record({ action: 'project.create', target: { type: 'project', id: project.id }, after: project });
      return project;
    });
  }

  @Get('projects')
  async listProjects(@Query('team_id') teamId?: string) {
    const projects = await this.tenancy.listProjects(teamId === undefined ? undefined : parseId(teamId, 'team'));
    return { object: 'list', data: projects.map(projectView) };
  }
}

const teamView = (team: TeamEntity) => ({ id: team.id, name: team.name, created_at: team.createdAt.toISOString() });

export const projectView = (project: ProjectEntity) => ({
  id: project.id,
  name: project.name,
  team_id: project.teamId,
  models: project.models,
  tiers: project.tiers,
  created_at: project.createdAt.toISOString(),
});

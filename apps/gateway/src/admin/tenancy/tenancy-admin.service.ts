import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { AuditTrail } from '@app/audit';
import { TenancyService } from '@app/auth';
import { AdminActor, seesTeam, visibleTeams } from '../shared/admin-actor';
import { notFound, parseAdminInput, parseOptionalId } from '../shared/admin-input';
import { listView } from '../shared/list.view';
import { projectView } from './project.view';
import { teamView } from './team.view';

const nameField = z.string().trim().min(1).max(200);
export const createTeamBody = z.strictObject({ name: nameField });
export const createProjectBody = z.strictObject({ name: nameField, team_id: z.uuid() });

/** Teams and the projects in them; a team admin sees and adds to its own teams only. */
@Injectable()
export class TenancyAdminService {
  constructor(
    private readonly tenancy: TenancyService,
    private readonly trail: AuditTrail,
  ) {}

  async createTeam(actor: AdminActor, body: unknown) {
    const { name } = parseAdminInput(createTeamBody, body);
    return this.trail.transact(actor, async (tx) => {
      const team = teamView(await this.tenancy.createTeam(name, tx.manager));
      await tx.record({ action: 'team.create', target: { type: 'team', id: team.id }, after: team });
      return team;
    });
  }

  async listTeams(actor: AdminActor) {
    return listView((await this.tenancy.listTeams(visibleTeams(actor))).map(teamView));
  }

  async createProject(actor: AdminActor, body: unknown) {
    const { name, team_id } = parseAdminInput(createProjectBody, body);
    if (!seesTeam(actor, team_id)) throw notFound('team', team_id, 'team_id');
    return this.trail.transact(actor, async (tx) => {
      const project = projectView(await this.tenancy.createProject(team_id, name, tx.manager));
      await tx.record({ action: 'project.create', target: { type: 'project', id: project.id }, after: project });
      return project;
    });
  }

  async listProjects(actor: AdminActor, teamId: string | undefined) {
    const projects = await this.tenancy.listProjects(parseOptionalId(teamId, 'team'), visibleTeams(actor));
    return listView(projects.map(projectView));
  }
}

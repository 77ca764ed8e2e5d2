import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { AuditTrail } from '@app/audit';
import { ON_ANOMALY_ACTIONS, TenancyService } from '@app/auth';
import { AdminActor, seesTeam, visibleTeams } from '../shared/admin-actor';
import { notFound, parseAdminInput, parseId, parseOptionalId } from '../shared/admin-input';
import { listView } from '../shared/list.view';
import { TeamScope } from '../shared/team-scope.service';
import { projectView } from './project.view';
import { teamView } from './team.view';

const nameField = z.string().trim().min(1).max(200);
export const createTeamBody = z.strictObject({ name: nameField });
/** `suspend`: the anomaly detectors suspend the project's anomalous keys (or the project) besides alerting. */
const onAnomalyField = z.enum(ON_ANOMALY_ACTIONS);
export const createProjectBody = z.strictObject({
  name: nameField,
  team_id: z.uuid(),
  on_anomaly: onAnomalyField.default('none'),
});
/** A PATCH: what is left out stays as it is. */
export const updateProjectBody = z.strictObject({ on_anomaly: onAnomalyField.optional() });

/** Teams and the projects in them; a team admin sees and adds to its own teams only. */
@Injectable()
export class TenancyAdminService {
  constructor(
    private readonly tenancy: TenancyService,
    private readonly trail: AuditTrail,
    private readonly scope: TeamScope,
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
    const { name, team_id, on_anomaly } = parseAdminInput(createProjectBody, body);
    if (!seesTeam(actor, team_id)) throw notFound('team', team_id, 'team_id');
    return this.trail.transact(actor, async (tx) => {
      const project = projectView(await this.tenancy.createProject(team_id, name, tx.manager, on_anomaly));
      await tx.record({ action: 'project.create', target: { type: 'project', id: project.id }, after: project });
      return project;
    });
  }

  /** Changes the project's settings: today what anomaly detection does (`on_anomaly`). */
  async updateProject(actor: AdminActor, rawId: string, body: unknown) {
    const id = parseId(rawId, 'project');
    const { on_anomaly } = parseAdminInput(updateProjectBody, body);
    return this.trail.transact(actor, async (tx) => {
      await this.scope.require(actor, 'project', id, tx.manager);
      const before = projectView(await this.tenancy.getProject(id, tx.manager));
      if (on_anomaly === undefined) return before;
      const after = projectView(await this.tenancy.setOnAnomaly(id, on_anomaly, tx.manager));
      await tx.record({ action: 'project.update', target: { type: 'project', id }, before, after });
      return after;
    });
  }

  /** Lifts the project's suspension: its keys work again (those suspended on their own stay so). */
  async resumeProject(actor: AdminActor, rawId: string) {
    const id = parseId(rawId, 'project');
    return this.trail.transact(actor, async (tx) => {
      await this.scope.require(actor, 'project', id, tx.manager);
      const before = projectView(await this.tenancy.getProject(id, tx.manager));
      const resumed = await this.tenancy.resumeProject(id, tx);
      // Not suspended, or another admin's resume committed since the read above: nothing changed here to record.
      if (!resumed) return projectView(await this.tenancy.getProject(id, tx.manager));
      const after = projectView(resumed);
      await tx.record({ action: 'project.resume', target: { type: 'project', id }, before, after });
      return after;
    });
  }

  async listProjects(actor: AdminActor, teamId: string | undefined) {
    const projects = await this.tenancy.listProjects(parseOptionalId(teamId, 'team'), visibleTeams(actor));
    return listView(projects.map(projectView));
  }
}

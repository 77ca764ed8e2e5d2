import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In, IsNull, Not, QueryFailedError } from 'typeorm';
import { Clock, GatewayError } from '@app/common';
import { AuthTransaction, autoCommit } from '../auth-transaction';
import { OnAnomalyAction, ProjectEntity } from '../entities/project.entity';
import { TeamEntity } from '../entities/team.entity';
import { ApiKeyService, SuspensionChange } from '../keys/api-key.service';
import { suspensionOf } from '../keys/suspension';

const UNIQUE_VIOLATION = '23505';

/** What an admin object hangs from: a team, a project in a team, or a key in a project. */
export type TenancyLevel = 'team' | 'project' | 'key';

/** The team each kind of object belongs to, found in one query from the object's own table. */
const TEAM_OF: Record<TenancyLevel, string> = {
  team: 'SELECT id AS team_id FROM teams WHERE id = $1',
  project: 'SELECT team_id FROM projects WHERE id = $1',
  key: 'SELECT p.team_id FROM api_keys k JOIN projects p ON p.id = k.project_id WHERE k.id = $1',
};

/**
 * Teams and the projects inside them: the tree every key, budget and record hangs from. Mutations take an
 * optional EntityManager, so the caller can make them part of its own transaction (the admin audit trail).
 */
@Injectable()
export class TenancyService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly apiKeys: ApiKeyService,
    private readonly clock: Clock,
  ) {}

  async createTeam(name: string, manager: EntityManager = this.dataSource.manager): Promise<TeamEntity> {
    return this.insertUnique(
      () => manager.getRepository(TeamEntity).save({ name }),
      `A team named "${name}" already exists.`,
    );
  }

  /** Every team, or only those of `teamIds` (a team admin's). */
  listTeams(teamIds?: readonly string[]): Promise<TeamEntity[]> {
    return this.dataSource
      .getRepository(TeamEntity)
      .find({ where: teamIds ? { id: In([...teamIds]) } : {}, order: { createdAt: 'ASC' } });
  }

  async createProject(
    teamId: string,
    name: string,
    manager: EntityManager = this.dataSource.manager,
    onAnomaly: OnAnomalyAction = 'none',
  ): Promise<ProjectEntity> {
    const team = await manager.getRepository(TeamEntity).findOneBy({ id: teamId });
    if (!team) throw new GatewayError('not_found', `No team with id ${teamId}.`, { param: 'team_id' });
    const unsuspended = { suspendedAt: null, suspendedReason: null, suspendedBy: null, resumedAt: null };
    return this.insertUnique(
      () => manager.getRepository(ProjectEntity).save({ teamId, name, onAnomaly, ...unsuspended }),
      `Team ${teamId} already has a project named "${name}".`,
    );
  }

  /** Every project, or those of one team; `teamIds` (a team admin's) narrows either. */
  listProjects(teamId?: string, teamIds?: readonly string[]): Promise<ProjectEntity[]> {
    const teams = teamIds ? [...teamIds].filter((id) => teamId === undefined || id === teamId) : undefined;
    return this.dataSource.getRepository(ProjectEntity).find({
      where: teams ? { teamId: In(teams) } : teamId ? { teamId } : {},
      order: { createdAt: 'ASC' },
    });
  }

  /** The team a team, project or key belongs to; null when there is no such object. */
  async teamOf(
    level: TenancyLevel,
    id: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<string | null> {
    const rows: Array<{ team_id: string }> = await manager.query(TEAM_OF[level], [id]);
    return rows[0]?.team_id ?? null;
  }

  async getTeam(id: string, manager: EntityManager = this.dataSource.manager): Promise<TeamEntity> {
    const team = await manager.getRepository(TeamEntity).findOneBy({ id });
    if (!team) throw new GatewayError('not_found', `No team with id ${id}.`);
    return team;
  }

  async getProject(id: string, manager: EntityManager = this.dataSource.manager): Promise<ProjectEntity> {
    const project = await manager.getRepository(ProjectEntity).findOneBy({ id });
    if (!project) throw new GatewayError('not_found', `No project with id ${id}.`);
    return project;
  }

  /**
   * Replaces a project's model and tier allow-lists (null lifts one); this instance's keys see it once `tx` has
   * committed, others' within the key cache TTL.
   */
  async updateProjectAccess(
    id: string,
    access: { models: string[] | null; tiers: string[] | null },
    tx: AuthTransaction = autoCommit(this.dataSource.manager),
  ): Promise<ProjectEntity> {
    const project = await this.getProject(id, tx.manager);
    await tx.manager.getRepository(ProjectEntity).update({ id }, access);
    tx.afterCommit(() => this.apiKeys.forgetCachedKeys());
    return Object.assign(project, access);
  }

  /** What the anomaly detectors do about the project's keys besides alerting. */
  async setOnAnomaly(
    id: string,
    onAnomaly: OnAnomalyAction,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<ProjectEntity> {
    const project = await this.getProject(id, manager);
    await manager.getRepository(ProjectEntity).update({ id }, { onAnomaly });
    return Object.assign(project, { onAnomaly });
  }

  /**
   * Suspends every key of the project, unless it is suspended already or an admin resumed it at or after
   * `notResumedSince`; returns the project when it did. Applied like a key's suspension (ApiKeyService.suspend).
   */
  async suspendProject(
    id: string,
    change: SuspensionChange,
    notResumedSince: Date,
    tx: AuthTransaction = autoCommit(this.dataSource.manager),
  ): Promise<ProjectEntity | null> {
    const at = this.clock.now();
    const { affected } = await tx.manager
      .getRepository(ProjectEntity)
      .createQueryBuilder()
      .update()
      .set({ suspendedAt: at, suspendedReason: change.reason, suspendedBy: change.by })
      .where('id = :id AND suspended_at IS NULL AND (resumed_at IS NULL OR resumed_at < :since)', {
        id,
        since: notResumedSince,
      })
      .execute();
    if (!affected) return null;
    tx.afterCommit(() => this.apiKeys.applyProjectSuspension(id, suspensionOf('project', id, { at, ...change })));
    return this.getProject(id, tx.manager);
  }

  /**
   * Lifts the project's suspension (keys suspended on their own stay so); this instance once `tx` has
   * committed, others within the TTL. Returns the project it resumed, or null when it was not suspended (or a
   * concurrent call lifted it first), as `ApiKeyService.resume`.
   */
  async resumeProject(
    id: string,
    tx: AuthTransaction = autoCommit(this.dataSource.manager),
  ): Promise<ProjectEntity | null> {
    const project = await this.getProject(id, tx.manager);
    const lifted = { suspendedAt: null, suspendedReason: null, suspendedBy: null, resumedAt: this.clock.now() };
    const { affected } = await tx.manager
      .getRepository(ProjectEntity)
      .update({ id, suspendedAt: Not(IsNull()) }, lifted);
    tx.afterCommit(() => this.apiKeys.applyProjectSuspension(id, null));
    return affected ? Object.assign(project, lifted) : null;
  }

  private async insertUnique<T>(insert: () => Promise<T>, conflictMessage: string): Promise<T> {
    try {
      return await insert();
    } catch (error) {
      if (error instanceof QueryFailedError && (error.driverError as { code?: string }).code === UNIQUE_VIOLATION) {
        throw new GatewayError('conflict', conflictMessage, { param: 'name' });
      }
      throw error;
    }
  }
}

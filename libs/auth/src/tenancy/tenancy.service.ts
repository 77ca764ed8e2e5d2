import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { GatewayError } from '@app/common';
import { ProjectEntity } from '../entities/project.entity';
import { TeamEntity } from '../entities/team.entity';
import { ApiKeyService } from '../keys/api-key.service';

const UNIQUE_VIOLATION = '23505';

/**
 * Teams and the projects inside them: the tree every key, budget and record hangs from. Mutations take an
 * optional EntityManager, so the caller can make them part of its own transaction (the admin audit trail).
 */
@Injectable()
export class TenancyService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly apiKeys: ApiKeyService,
  ) {}

  async createTeam(name: string, manager: EntityManager = this.dataSource.manager): Promise<TeamEntity> {
    return this.insertUnique(
      () => manager.getRepository(TeamEntity).save({ name }),
      `A team named "${name}" already exists.`,
    );
  }

  listTeams(): Promise<TeamEntity[]> {
    return this.dataSource.getRepository(TeamEntity).find({ order: { createdAt: 'ASC' } });
  }

  async createProject(
    teamId: string,
    name: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<ProjectEntity> {
    const team = await manager.getRepository(TeamEntity).findOneBy({ id: teamId });
    if (!team) throw new GatewayError('not_found', `No team with id ${teamId}.`, { param: 'team_id' });
    return this.insertUnique(
      () => manager.getRepository(ProjectEntity).save({ teamId, name }),
      `Team ${teamId} already has a project named "${name}".`,
    );
  }

  listProjects(teamId?: string): Promise<ProjectEntity[]> {
    return this.dataSource
      .getRepository(ProjectEntity)
      .find({ where: teamId ? { teamId } : {}, order: { createdAt: 'ASC' } });
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

  /** Replaces a project's model and tier allow-lists (null lifts one); keys see it within the key cache TTL. */
  async updateProjectAccess(
    id: string,
    access: { models: string[] | null; tiers: string[] | null },
    manager: EntityManager = this.dataSource.manager,
  ): Promise<ProjectEntity> {
    const project = await this.getProject(id, manager);
    await manager.getRepository(ProjectEntity).update({ id }, access);
    this.apiKeys.forgetCachedKeys();
    return Object.assign(project, access);
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

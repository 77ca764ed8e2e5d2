import { Injectable } from '@nestjs/common';
import { DataSource, QueryFailedError } from 'typeorm';
import { GatewayError } from '@app/common';
import { ProjectEntity } from '../entities/project.entity';
import { TeamEntity } from '../entities/team.entity';

const UNIQUE_VIOLATION = '23505';

/** Teams and the projects inside them: the tree every key, budget and record hangs from. */
@Injectable()
export class TenancyService {
  constructor(private readonly dataSource: DataSource) {}

  async createTeam(name: string): Promise<TeamEntity> {
    return this.insertUnique(() => this.dataSource.getRepository(TeamEntity).save({ name }), `A team named "${name}" already exists.`);
  }

  listTeams(): Promise<TeamEntity[]> {
    return this.dataSource.getRepository(TeamEntity).find({ order: { createdAt: 'ASC' } });
  }

  async createProject(teamId: string, name: string): Promise<ProjectEntity> {
    const team = await this.dataSource.getRepository(TeamEntity).findOneBy({ id: teamId });
    if (!team) throw new GatewayError('not_found', `No team with id ${teamId}.`, { param: 'team_id' });
    return this.insertUnique(
      () => this.dataSource.getRepository(ProjectEntity).save({ teamId, name }),
      `Team ${teamId} already has a project named "${name}".`,
    );
  }

  listProjects(teamId?: string): Promise<ProjectEntity[]> {
    return this.dataSource.getRepository(ProjectEntity).find({ where: teamId ? { teamId } : {}, order: { createdAt: 'ASC' } });
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

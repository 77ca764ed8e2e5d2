import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { TenancyLevel, TenancyService } from '@app/auth';
import { AdminActor, seesTeam, visibleTeams } from './admin-actor';
import { notFound } from './admin-input';

/**
 * Keeps team admins inside their teams. An object of another team answers exactly as an id that does not
 * exist (404, same message), so guessing ids reveals nothing.
 */
@Injectable()
export class TeamScope {
  constructor(private readonly tenancy: TenancyService) {}

  /** Throws the 404 unless the actor may see the team, project or key `id` (`param`: the field that named it). */
  async require(
    actor: AdminActor,
    level: TenancyLevel,
    id: string,
    manager?: EntityManager,
    param?: string,
  ): Promise<void> {
    if (visibleTeams(actor) === undefined) return;
    if (!seesTeam(actor, await this.tenancy.teamOf(level, id, manager))) throw notFound(level, id, param);
  }
}

import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ApiKeyService, TenancyService } from '@app/auth';
import { GatewayError } from '@app/common';
import type { QuotaLevel } from '@app/quota';
import { AdminActor } from '../shared/admin-actor';
import { parseId } from '../shared/admin-input';
import { TeamScope } from '../shared/team-scope.service';

const LEVEL_BY_SEGMENT: Record<string, QuotaLevel> = { teams: 'team', projects: 'project', keys: 'key' };

/** `/admin/{teams|projects|keys}/{id}/…`: which team, project or key a quota route is about. */
export interface QuotaScope {
  level: QuotaLevel;
  id: string;
}

@Injectable()
export class QuotaScopeService {
  constructor(
    private readonly tenancy: TenancyService,
    private readonly keys: ApiKeyService,
    private readonly teamScope: TeamScope,
  ) {}

  /** The scope named by the path, which must exist and be the actor's to see (404 otherwise). */
  async resolve(actor: AdminActor, segment: string, rawId: string, manager?: EntityManager): Promise<QuotaScope> {
    const level = Object.hasOwn(LEVEL_BY_SEGMENT, segment) ? LEVEL_BY_SEGMENT[segment] : undefined;
    if (!level) throw new GatewayError('not_found', `No admin resource "${segment}"; use teams, projects or keys.`);
    const id = parseId(rawId, level);
    if (level === 'team') await this.tenancy.getTeam(id, manager);
    else if (level === 'project') await this.tenancy.getProject(id, manager);
    else await this.keys.get(id, manager);
    await this.teamScope.require(actor, level, id, manager);
    return { level, id };
  }
}

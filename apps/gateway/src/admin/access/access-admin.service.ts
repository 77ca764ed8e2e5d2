import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { AuditTrail } from '@app/audit';
import { ApiKeyService, TenancyService } from '@app/auth';
import { ModelCatalogService } from '@app/routing';
import { keyView } from '../keys/key.view';
import { AdminActor } from '../shared/admin-actor';
import { parseAdminInput, parseId } from '../shared/admin-input';
import { TeamScope } from '../shared/team-scope.service';
import { projectView } from '../tenancy/project.view';
import { allowListField, checkAllowLists } from './allow-lists';

/** PUT replaces the whole policy: an absent or null list lifts that limit. */
export const keyAccessBody = z.strictObject({
  models: allowListField,
  tiers: allowListField,
  allowed_ips: allowListField,
});
export const projectAccessBody = z.strictObject({ models: allowListField, tiers: allowListField });

/**
 * Allow-lists: models and tiers for keys and projects (a request must pass both), and the networks a key
 * may be used from; a team admin's only on its teams' keys and projects. Enforced on /v1 and reflected in /v1/models; other instances apply a change within
 * AUTH_CACHE_TTL_MS.
 */
@Injectable()
export class AccessAdminService {
  constructor(
    private readonly keys: ApiKeyService,
    private readonly tenancy: TenancyService,
    private readonly catalog: ModelCatalogService,
    private readonly trail: AuditTrail,
    private readonly scope: TeamScope,
  ) {}

  async setKeyAccess(actor: AdminActor, rawId: string, body: unknown) {
    const id = parseId(rawId, 'key');
    const input = parseAdminInput(keyAccessBody, body);
    checkAllowLists(this.catalog, input);
    const access = { models: input.models ?? null, tiers: input.tiers ?? null, allowedIps: input.allowed_ips ?? null };
    return this.trail.transact(actor, async (tx) => {
      await this.scope.require(actor, 'key', id, tx.manager);
      const before = keyView(await this.keys.get(id, tx.manager));
      const after = keyView(await this.keys.updateAccess(id, access, tx));
      await tx.record({ action: 'key.access.set', target: { type: 'key', id }, before, after });
      return after;
    });
  }

  async setProjectAccess(actor: AdminActor, rawId: string, body: unknown) {
    const id = parseId(rawId, 'project');
    const input = parseAdminInput(projectAccessBody, body);
    checkAllowLists(this.catalog, input);
    const access = { models: input.models ?? null, tiers: input.tiers ?? null };
    return this.trail.transact(actor, async (tx) => {
      await this.scope.require(actor, 'project', id, tx.manager);
      const before = projectView(await this.tenancy.getProject(id, tx.manager));
      const after = projectView(await this.tenancy.updateProjectAccess(id, access, tx));
      await tx.record({ action: 'project.access.set', target: { type: 'project', id }, before, after });
      return after;
    });
  }
}

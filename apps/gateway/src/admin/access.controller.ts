import { Body, Controller, Param, Put } from '@nestjs/common';
import { z } from 'zod';
import { AuditTrail } from '@app/audit';
import { AdminOnly, ApiKeyService, TenancyService } from '@app/auth';
import { ModelCatalogService } from '@app/routing';
import { allowListField, checkAllowLists } from './access-lists';
import { AdminActor } from './admin-actor';
import { parseAdminBody, parseId } from './admin-body';
import { keyView } from './keys.controller';
import { projectView } from './tenancy.controller';

/** PUT replaces the whole policy: an absent or null list lifts that limit. */
const keyAccessBody = z.strictObject({ models: allowListField, tiers: allowListField, allowed_ips: allowListField });
const projectAccessBody = z.strictObject({ models: allowListField, tiers: allowListField });

/**
 * Allow-lists: models and tiers for keys and projects (a request must pass both), and the networks a key
 * may be used from. Enforced on /v1 and reflected in /v1/models; other instances apply a change within
 * AUTH_CACHE_TTL_MS.
 */
@AdminOnly()
@Controller('admin')
export class AccessController {
  constructor(
    private readonly keys: ApiKeyService,
    private readonly tenancy: TenancyService,
    private readonly catalog: ModelCatalogService,
    private readonly trail: AuditTrail,
  ) {}

  @Put('keys/:id/access')
  async setKeyAccess(@Param('id') rawId: string, @Body() body: unknown, @AdminActor() actor: string) {
    const id = parseId(rawId, 'key');
    const input = parseAdminBody(keyAccessBody, body);
    checkAllowLists(this.catalog, input);
    return this.trail.transact(actor, async (tx) => {
      const before = keyView(await this.keys.get(id, tx.manager));
      const after = keyView(
        await this.keys.updateAccess(id, { models: input.models ?? null, tiers: input.tiers ?? null, allowedIps: input.allowed_ips ?? null }, tx.manager),
      );
      await tx.record({ action: 'key.access.set', target: { type: 'key', id }, before, after });
      return after;
    });
  }

  @Put('projects/:id/access')
  async setProjectAccess(@Param('id') rawId: string, @Body() body: unknown, @AdminActor() actor: string) {
    const id = parseId(rawId, 'project');
    const input = parseAdminBody(projectAccessBody, body);
    checkAllowLists(this.catalog, input);
    return this.trail.transact(actor, async (tx) => {
      const before = projectView(await this.tenancy.getProject(id, tx.manager));
      const after = projectView(await this.tenancy.updateProjectAccess(id, { models: input.models ?? null, tiers: input.tiers ?? null }, tx.manager));
      await tx.record({ action: 'project.access.set', target: { type: 'project', id }, before, after });
      return after;
    });
  }
}

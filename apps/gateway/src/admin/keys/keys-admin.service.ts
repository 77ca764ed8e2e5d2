import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { AuditTrail } from '@app/audit';
import { ApiKeyService } from '@app/auth';
import { ENVIRONMENTS, GatewayError } from '@app/common';
import { ModelCatalogService } from '@app/routing';
import { allowListField, checkAllowLists } from '../access/allow-lists';
import { AdminActor, visibleTeams } from '../shared/admin-actor';
import { parseAdminInput, parseId, parseOptionalId } from '../shared/admin-input';
import { listView } from '../shared/list.view';
import { TeamScope } from '../shared/team-scope.service';
import { keyView } from './key.view';

export const createKeyBody = z.strictObject({
  project_id: z.uuid(),
  name: z.string().trim().min(1).max(200),
  /** The person or service the key belongs to: usage groups by it. */
  owner: z.string().trim().min(1).max(200).nullable().optional(),
  environment: z.enum(ENVIRONMENTS),
  models: allowListField,
  tiers: allowListField,
  allowed_ips: allowListField,
  expires_at: z.iso.datetime({ offset: true }).nullable().optional(),
});

/** Gateway keys: issue, list, revoke, rotate; a team admin's only in its teams' projects. */
@Injectable()
export class KeysAdminService {
  constructor(
    private readonly keys: ApiKeyService,
    private readonly catalog: ModelCatalogService,
    private readonly trail: AuditTrail,
    private readonly scope: TeamScope,
  ) {}

  /** With rotation, the only response that ever contains a key itself; the audit trail gets its view. */
  async create(actor: AdminActor, body: unknown) {
    const input = parseAdminInput(createKeyBody, body);
    checkAllowLists(this.catalog, input);
    const expiresAt = input.expires_at ? new Date(input.expires_at) : null;
    if (expiresAt && expiresAt <= new Date()) {
      throw new GatewayError('invalid_request_error', 'expires_at: must be in the future', { param: 'expires_at' });
    }
    return this.trail.transact(actor, async (tx) => {
      await this.scope.require(actor, 'project', input.project_id, tx.manager, 'project_id');
      const { entity, key } = await this.keys.create(
        {
          projectId: input.project_id,
          name: input.name,
          owner: input.owner ?? null,
          environment: input.environment,
          models: input.models ?? null,
          tiers: input.tiers ?? null,
          allowedIps: input.allowed_ips ?? null,
          expiresAt,
        },
        tx.manager,
      );
      const view = keyView(entity);
      await tx.record({ action: 'key.create', target: { type: 'key', id: entity.id }, after: view });
      return { ...view, key };
    });
  }

  async list(actor: AdminActor, projectId: string | undefined) {
    const keys = await this.keys.list(parseOptionalId(projectId, 'project'), visibleTeams(actor));
    return listView(keys.map(keyView));
  }

  async revoke(actor: AdminActor, rawId: string) {
    const id = parseId(rawId, 'key');
    return this.trail.transact(actor, async (tx) => {
      await this.scope.require(actor, 'key', id, tx.manager);
      const before = keyView(await this.keys.get(id, tx.manager));
      const after = keyView(await this.keys.revoke(id, tx));
      await tx.record({ action: 'key.revoke', target: { type: 'key', id }, before, after });
      return after;
    });
  }

  /** Lifts a suspension (anomaly detection): the key works again, here at once, elsewhere within the cache TTL. */
  async resume(actor: AdminActor, rawId: string) {
    const id = parseId(rawId, 'key');
    return this.trail.transact(actor, async (tx) => {
      await this.scope.require(actor, 'key', id, tx.manager);
      const before = keyView(await this.keys.get(id, tx.manager));
      const resumed = await this.keys.resume(id, tx);
      // Not suspended, or another admin's resume committed since the read above: nothing changed here to record.
      if (!resumed) return keyView(await this.keys.get(id, tx.manager));
      const after = keyView(resumed);
      await tx.record({ action: 'key.resume', target: { type: 'key', id }, before, after });
      return after;
    });
  }

  /** Issues a replacement (shown once) with the same settings and revokes this key, in one transaction. */
  async rotate(actor: AdminActor, rawId: string) {
    const id = parseId(rawId, 'key');
    return this.trail.transact(actor, async (tx) => {
      await this.scope.require(actor, 'key', id, tx.manager);
      const { previous, entity, key } = await this.keys.rotate(id, tx);
      const replacement = keyView(entity);
      await tx.record({
        action: 'key.rotate',
        target: { type: 'key', id },
        before: { ...keyView(previous), revoked_at: null },
        after: { ...keyView(previous), replaced_by: entity.id },
      });
      await tx.record({
        action: 'key.create',
        target: { type: 'key', id: entity.id },
        after: { ...replacement, rotated_from: id },
      });
      return { ...replacement, key, rotated_from: id };
    });
  }
}

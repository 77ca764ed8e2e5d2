import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { z } from 'zod';
import { AuditTrail } from '@app/audit';
import { AdminOnly, ApiKeyEntity, ApiKeyService, maskKey } from '@app/auth';
import { ENVIRONMENTS, GatewayError } from '@app/common';
import { ModelCatalogService } from '@app/routing';
import { allowListField, checkAllowLists } from './access-lists';
import { AdminActor } from './admin-actor';
import { parseAdminBody, parseId } from './admin-body';

const createKeyBody = z.strictObject({
  project_id: z.uuid(),
  name: z.string().trim().min(1).max(200),
  environment: z.enum(ENVIRONMENTS),
  models: allowListField,
  tiers: allowListField,
  allowed_ips: allowListField,
  expires_at: z.iso.datetime({ offset: true }).nullable().optional(),
});

@AdminOnly()
@Controller('admin/keys')
export class KeysController {
  constructor(
    private readonly keys: ApiKeyService,
    private readonly catalog: ModelCatalogService,
    private readonly trail: AuditTrail,
  ) {}

  /** With rotation, the only response that ever contains a key itself; the audit trail gets its view. */
  @Post()
  @HttpCode(201)
  async create(@Body() body: unknown, @AdminActor() actor: string) {
    const input = parseAdminBody(createKeyBody, body);
    checkAllowLists(this.catalog, input);
    const expiresAt = input.expires_at ? new Date(input.expires_at) : null;
    if (expiresAt && expiresAt <= new Date()) {
      throw new GatewayError('invalid_request_error', 'expires_at: must be in the future', { param: 'expires_at' });
    }
    return this.trail.transact(actor, async (tx) => {
      const { entity, key } = await this.keys.create(
        {
          projectId: input.project_id,
          name: input.name,
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

  @Get()
  async list(@Query('project_id') projectId?: string) {
    const keys = await this.keys.list(projectId === undefined ? undefined : parseId(projectId, 'project'));
    return { object: 'list', data: keys.map(keyView) };
  }

  @Post(':id/revoke')
  @HttpCode(200)
  async revoke(@Param('id') id: string, @AdminActor() actor: string) {
    const keyId = parseId(id, 'key');
    return this.trail.transact(actor, async (tx) => {
      const before = keyView(await this.keys.get(keyId, tx.manager));
      const after = keyView(await this.keys.revoke(keyId, tx.manager));
      await tx.record({ action: 'key.revoke', target: { type: 'key', id: keyId }, before, after });
      return after;
    });
  }

  /** Issues a replacement (shown once) with the same settings and revokes this key, in one transaction. */
  @Post(':id/rotate')
  @HttpCode(201)
  async rotate(@Param('id') id: string, @AdminActor() actor: string) {
    const keyId = parseId(id, 'key');
    return this.trail.transact(actor, async (tx) => {
      const { previous, entity, key } = await this.keys.rotate(keyId, tx.manager);
      const replacement = keyView(entity);
      await tx.record({
        action: 'key.rotate',
        target: { type: 'key', id: keyId },
        before: { ...keyView(previous), revoked_at: null },
        after: { ...keyView(previous), replaced_by: entity.id },
      });
      await tx.record({ action: 'key.create', target: { type: 'key', id: entity.id }, after: { ...replacement, rotated_from: keyId } });
      return { ...replacement, key, rotated_from: keyId };
    });
  }
}

export function keyView(key: ApiKeyEntity) {
  return {
    id: key.id,
    key_prefix: key.keyPrefix,
    masked_key: maskKey(key.keyPrefix, key.keyLast4),
    name: key.name,
    project_id: key.projectId,
    environment: key.environment,
    models: key.models,
    tiers: key.tiers,
    allowed_ips: key.allowedIps,
    expires_at: key.expiresAt?.toISOString() ?? null,
    revoked_at: key.revokedAt?.toISOString() ?? null,
    last_used_at: key.lastUsedAt?.toISOString() ?? null,
    created_at: key.createdAt.toISOString(),
  };
}

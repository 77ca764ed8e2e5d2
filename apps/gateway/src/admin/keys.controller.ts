import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { z } from 'zod';
import { AdminOnly, ApiKeyEntity, ApiKeyService, maskKey } from '@app/auth';
import { ENVIRONMENTS, GatewayError } from '@app/common';
import { ModelCatalogService } from '@app/routing';
import { parseAdminBody, parseId } from './admin-body';

const createKeyBody = z.strictObject({
  project_id: z.uuid(),
  name: z.string().trim().min(1).max(200),
  environment: z.enum(ENVIRONMENTS),
  models: z.array(z.string().min(1)).min(1).nullable().optional(),
  expires_at: z.iso.datetime({ offset: true }).nullable().optional(),
});

@AdminOnly()
@Controller('admin/keys')
export class KeysController {
  constructor(
    private readonly keys: ApiKeyService,
    private readonly catalog: ModelCatalogService,
  ) {}

  /** The only response that ever contains the key itself. */
  @Post()
  @HttpCode(201)
  async create(@Body() body: unknown) {
    const input = parseAdminBody(createKeyBody, body);
    const unknownModel = input.models?.find((name) => !this.catalog.resolve(name));
    if (unknownModel) {
      throw new GatewayError('invalid_request_error', `models: unknown model "${unknownModel}"`, { param: 'models' });
    }
    const expiresAt = input.expires_at ? new Date(input.expires_at) : null;
    if (expiresAt && expiresAt <= new Date()) {
      throw new GatewayError('invalid_request_error', 'expires_at: must be in the future', { param: 'expires_at' });
    }
    const { entity, key } = await this.keys.create({
      projectId: input.project_id,
      name: input.name,
      environment: input.environment,
      models: input.models ?? null,
      expiresAt,
    });
    return { ...keyView(entity), key };
  }

  @Get()
  async list(@Query('project_id') projectId?: string) {
    const keys = await this.keys.list(projectId === undefined ? undefined : parseId(projectId, 'project'));
    return { object: 'list', data: keys.map(keyView) };
  }

  @Post(':id/revoke')
  @HttpCode(200)
  async revoke(@Param('id') id: string) {
    return keyView(await this.keys.revoke(parseId(id, 'key')));
  }
}

function keyView(key: ApiKeyEntity) {
  return {
    id: key.id,
    key_prefix: key.keyPrefix,
    masked_key: maskKey(key.keyPrefix, key.keyLast4),
    name: key.name,
    project_id: key.projectId,
    environment: key.environment,
    models: key.models,
    expires_at: key.expiresAt?.toISOString() ?? null,
    revoked_at: key.revokedAt?.toISOString() ?? null,
    last_used_at: key.lastUsedAt?.toISOString() ?? null,
    created_at: key.createdAt.toISOString(),
  };
}

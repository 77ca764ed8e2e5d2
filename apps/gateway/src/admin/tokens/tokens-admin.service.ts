import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import { AuditTrail } from '@app/audit';
import { AdminKeyEntity, AdminKeyService, TenancyService } from '@app/auth';
import { ADMIN_ROLES, GatewayError } from '@app/common';
import { AdminActor, visibleTeams } from '../shared/admin-actor';
import { notFound, parseAdminInput, parseId } from '../shared/admin-input';
import { listView } from '../shared/list.view';
import { tokenView, whoamiView } from './token.view';

export const createTokenBody = z.strictObject({
  name: z.string().trim().min(1).max(200),
  role: z.enum(ADMIN_ROLES),
  team_ids: z.array(z.uuid()).min(1).max(100).optional(),
});

/**
 * Admin tokens with roles: issue (shown once), list, revoke, rotate. Owners manage every token; a team admin
 * manages only team admin tokens within its own teams, so it can delegate but never widen its reach.
 */
@Injectable()
export class TokensAdminService {
  constructor(
    private readonly tokens: AdminKeyService,
    private readonly tenancy: TenancyService,
    private readonly trail: AuditTrail,
  ) {}

  whoami(actor: AdminActor) {
    return whoamiView(actor);
  }

  /** With rotation, the only response that ever contains a token itself; the audit trail gets its view. */
  async create(actor: AdminActor, body: unknown) {
    const input = parseAdminInput(createTokenBody, body);
    const teamIds = [...new Set(input.team_ids ?? [])];
    if (input.role === 'team_admin' && teamIds.length === 0) {
      throw new GatewayError('invalid_request_error', 'team_ids: a team admin token needs at least one team', {
        param: 'team_ids',
      });
    }
    if (input.role !== 'team_admin' && teamIds.length > 0) {
      throw new GatewayError('invalid_request_error', `team_ids: an ${input.role} token is bound to no team`, {
        param: 'team_ids',
      });
    }
    const ownTeams = visibleTeams(actor);
    if (ownTeams && input.role !== 'team_admin') {
      throw new GatewayError('permission_denied', 'A team admin can issue team admin tokens for its own teams only.', {
        param: 'role',
      });
    }
    const foreign = ownTeams && teamIds.find((id) => !ownTeams.includes(id));
    if (foreign) throw notFound('team', foreign, 'team_ids');
    return this.trail.transact(actor, async (tx) => {
      for (const id of teamIds) {
        if ((await this.tenancy.teamOf('team', id, tx.manager)) === null) throw notFound('team', id, 'team_ids');
      }
      const { entity, key } = await this.tokens.create({ name: input.name, role: input.role, teamIds }, tx.manager);
      const view = tokenView(entity);
      await tx.record({ action: 'admin_key.create', target: { type: 'admin_key', id: entity.id }, after: view });
      return { ...view, token: key };
    });
  }

  async list(actor: AdminActor) {
    return listView((await this.tokens.list()).filter((token) => manages(actor, token)).map(tokenView));
  }

  async revoke(actor: AdminActor, rawId: string) {
    const id = parseId(rawId, 'admin token');
    return this.trail.transact(actor, async (tx) => {
      const before = tokenView(await this.managed(actor, id, tx.manager));
      const after = tokenView(await this.tokens.revoke(id, tx));
      await tx.record({ action: 'admin_key.revoke', target: { type: 'admin_key', id }, before, after });
      return after;
    });
  }

  /** Issues a replacement (shown once) with the same name, role and teams, and revokes this token. */
  async rotate(actor: AdminActor, rawId: string) {
    const id = parseId(rawId, 'admin token');
    return this.trail.transact(actor, async (tx) => {
      await this.managed(actor, id, tx.manager);
      const { previous, entity, key } = await this.tokens.rotate(id, tx);
      const replacement = tokenView(entity);
      await tx.record({
        action: 'admin_key.rotate',
        target: { type: 'admin_key', id },
        before: { ...tokenView(previous), revoked_at: null },
        after: { ...tokenView(previous), replaced_by: entity.id },
      });
      await tx.record({
        action: 'admin_key.create',
        target: { type: 'admin_key', id: entity.id },
        after: { ...replacement, rotated_from: id },
      });
      return { ...replacement, token: key, rotated_from: id };
    });
  }

  /** The token, if the actor manages it; otherwise the 404 of a token that does not exist. */
  private async managed(actor: AdminActor, id: string, manager: EntityManager): Promise<AdminKeyEntity> {
    const token = await this.tokens.get(id, manager);
    if (!manages(actor, token)) throw notFound('admin token', id);
    return token;
  }
}

/** Owners and auditors see every token; a team admin, the team admin tokens that stay within its teams. */
function manages(actor: AdminActor, token: AdminKeyEntity): boolean {
  const ownTeams = visibleTeams(actor);
  return !ownTeams || (token.role === 'team_admin' && token.teamIds.every((id) => ownTeams.includes(id)));
}

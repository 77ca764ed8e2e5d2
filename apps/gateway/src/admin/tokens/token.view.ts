import { type AdminKeyEntity, maskKey } from '@app/auth';
import type { AdminActor } from '../shared/admin-actor';

/** An admin token as the admin API and the audit trail show it: masked, never the token itself. */
export function tokenView(token: AdminKeyEntity) {
  return {
    id: token.id,
    name: token.name,
    role: token.role,
    team_ids: token.teamIds,
    masked_token: maskKey(token.keyPrefix, token.keyLast4),
    revoked_at: token.revokedAt?.toISOString() ?? null,
    created_at: token.createdAt.toISOString(),
  };
}

/** `GET /admin/whoami`: the admin the presented token stands for. */
export function whoamiView(actor: AdminActor) {
  return { id: actor.id, name: actor.name, role: actor.role, team_ids: actor.teamIds };
}

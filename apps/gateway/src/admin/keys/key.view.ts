import { type ApiKeyEntity, maskKey } from '@app/auth';

/** A gateway key as the admin API and the audit trail show it: masked, never the key itself. */
export function keyView(key: ApiKeyEntity) {
  return {
    id: key.id,
    key_prefix: key.keyPrefix,
    masked_key: maskKey(key.keyPrefix, key.keyLast4),
    name: key.name,
    owner: key.owner,
    project_id: key.projectId,
    environment: key.environment,
    models: key.models,
    tiers: key.tiers,
    allowed_ips: key.allowedIps,
    expires_at: key.expiresAt?.toISOString() ?? null,
    revoked_at: key.revokedAt?.toISOString() ?? null,
    last_used_at: key.lastUsedAt?.toISOString() ?? null,
    suspended_at: key.suspendedAt?.toISOString() ?? null,
    suspended_reason: key.suspendedReason,
    suspended_by: key.suspendedBy,
    resumed_at: key.resumedAt?.toISOString() ?? null,
    created_at: key.createdAt.toISOString(),
  };
}

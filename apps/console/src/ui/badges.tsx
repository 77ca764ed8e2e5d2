import type { Environment, GatewayKey, Role } from '../api/types';
import { ROLE_LABELS } from '../session/identity';

export function EnvironmentBadge({ environment }: { environment: Environment | null }) {
  if (!environment) return <span class="muted">—</span>;
  return <span class={`badge env-${environment}`}>{environment}</span>;
}

export function RoleBadge({ role }: { role: Role }) {
  return <span class={`badge role-${role}`}>{ROLE_LABELS[role]}</span>;
}

/** 2xx green, 4xx amber, 5xx red; 499 is the client leaving. */
export function StatusBadge({ status }: { status: number }) {
  const kind = status < 400 ? 'ok' : status < 500 ? 'client' : 'server';
  return <span class={`badge status-${kind}`}>{status}</span>;
}

export type KeyState = 'active' | 'suspended' | 'revoked' | 'expired';

/** Revoked and expired are for good; suspended lasts until an admin resumes the key. */
export function keyState(
  key: Pick<GatewayKey, 'revoked_at' | 'expires_at' | 'suspended_at'>,
  now = Date.now(),
): KeyState {
  if (key.revoked_at) return 'revoked';
  if (key.expires_at && Date.parse(key.expires_at) <= now) return 'expired';
  if (key.suspended_at) return 'suspended';
  return 'active';
}

export function KeyStateBadge({ state }: { state: KeyState }) {
  return <span class={`badge key-${state}`}>{state}</span>;
}

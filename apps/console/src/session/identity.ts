import { listTeams, whoami } from '../api/admin-api';
import { AdminApiError, AdminClient } from '../api/client';
import type { Role } from '../api/types';

/** Who is signed in, and so what the console offers. The admin API decides; the console only hides. */
export interface Identity {
  /** The token's id; null for the bootstrap admin key of a gateway without roles. */
  id: string | null;
  name: string;
  role: Role;
  /** The teams a team admin may see; null for roles that see every team. */
  teamIds: string[] | null;
  /** Whether the gateway has admin roles (GET /admin/whoami answered): keys then take an `owner`. */
  rolesBackend: boolean;
}

/**
 * Asks the gateway who the token is. A gateway without admin roles has no `GET /admin/whoami` (404): there
 * the only admin credential is the admin key, which can do everything, so a token that can list teams is
 * the owner. (A 404 proves nothing about the token by itself — unknown routes answer 404 before any key
 * check — hence the second call.)
 */
export async function identify(api: AdminClient): Promise<Identity> {
  try {
    const me = await whoami(api);
    const teamIds = me.role === 'team_admin' ? me.team_ids : null;
    return { id: me.id, name: me.name, role: me.role, teamIds, rolesBackend: true };
  } catch (error) {
    if (!(error instanceof AdminApiError) || error.status !== 404) throw error;
  }
  await listTeams(api);
  return { id: null, name: 'Admin key', role: 'owner', teamIds: null, rolesBackend: false };
}

/** What the signed-in role may do, for showing or hiding controls. */
export interface Abilities {
  /** Create, rotate, revoke, set budgets, limits and allow-lists. Auditors read only. */
  write: boolean;
  /** Create teams: owners only (a team admin works inside the teams given to it). */
  createTeams: boolean;
}

export function abilitiesOf(identity: Identity): Abilities {
  return { write: identity.role !== 'auditor', createTeams: identity.role === 'owner' };
}

export const ROLE_LABELS: Record<Role, string> = { owner: 'Owner', team_admin: 'Team admin', auditor: 'Auditor' };

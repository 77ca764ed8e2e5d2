import { whoami } from '../api/admin-api';
import type { AdminClient } from '../api/client';
import type { Role } from '../api/types';

/** Who is signed in, and so what the console offers. The admin API decides; the console only hides. */
export interface Identity {
  /** The token's id (`env:SWITCHYARD_ADMIN_KEY` for the bootstrap admin key). */
  id: string;
  name: string;
  role: Role;
  /** The teams a team admin may see; null for roles that see every team. */
  teamIds: string[] | null;
}

/** Asks the gateway who the token is; a token it does not accept fails here, before any page shows. */
export async function identify(api: AdminClient): Promise<Identity> {
  const me = await whoami(api);
  return { id: me.id, name: me.name, role: me.role, teamIds: me.role === 'team_admin' ? me.team_ids : null };
}

/** What the signed-in role may do, for showing or hiding controls. */
export interface Abilities {
  /** Create, rotate, revoke, set budgets, limits and allow-lists. Auditors read only. */
  write: boolean;
  /** Create teams: owners only (a team admin works inside the teams given to it). */
  createTeams: boolean;
  /** The audit trail and the access log hold every team's events: owners and auditors only. */
  readAudit: boolean;
  /** The configuration summary describes the whole gateway: owners and auditors only. */
  readConfig: boolean;
  /** Make the gateway re-read its catalog file: owners only. */
  reloadConfig: boolean;
}

export function abilitiesOf(identity: Identity): Abilities {
  return {
    write: identity.role !== 'auditor',
    createTeams: identity.role === 'owner',
    readAudit: identity.role !== 'team_admin',
    readConfig: identity.role !== 'team_admin',
    reloadConfig: identity.role === 'owner',
  };
}

export const ROLE_LABELS: Record<Role, string> = { owner: 'Owner', team_admin: 'Team admin', auditor: 'Auditor' };

export const ENVIRONMENTS = ['test', 'staging', 'production'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** Who is calling, as established by the key guard; travels with the request to every lib. */
export interface Principal {
  keyId: string;
  /** Display form `sy-prod-Ab12…wxyz`: safe to log and show. */
  maskedKey: string;
  keyName: string;
  /** The person or service the key belongs to, as the admin who issued it named them; null if unnamed. */
  owner: string | null;
  projectId: string;
  teamId: string;
  environment: Environment;
  /** Models (names or aliases) this key may call; null means every model. */
  allowedModels: readonly string[] | null;
  /** Catalog tiers this key may call; null means every tier. */
  allowedTiers: readonly string[] | null;
  /** The project's allow-lists, applied on top of the key's: a model must pass both. */
  projectAllowedModels: readonly string[] | null;
  projectAllowedTiers: readonly string[] | null;
}

export const ADMIN_ROLES = ['owner', 'team_admin', 'auditor'] as const;
/**
 * What an admin token may do: `owner` everything; `team_admin` read and change what belongs to its teams and
 * nothing else; `auditor` read everything and change nothing.
 */
export type AdminRole = (typeof ADMIN_ROLES)[number];

/** Who is calling the admin API, as established by the key guard; travels with the request to the admin services. */
export interface AdminPrincipal {
  /** The admin token's id, or `env:SWITCHYARD_ADMIN_KEY` for the operator's key. */
  id: string;
  name: string;
  role: AdminRole;
  /** The teams a team admin acts on; empty for owners and auditors, who are bound to no team. */
  teamIds: readonly string[];
}

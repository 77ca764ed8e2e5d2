import { AdminApiError, AdminClient, Query } from './client';
import type {
  AccessEvent,
  AdminToken,
  Alert,
  AlertKind,
  AuditEvent,
  Balance,
  BudgetPeriod,
  ChainVerification,
  ConfigReload,
  ConfigSummary,
  Environment,
  GatewayKey,
  IssuedKey,
  List,
  OnAnomaly,
  Page,
  Project,
  RateLimits,
  RequestRecord,
  ScopeKind,
  Team,
  UsageGrouping,
  UsageReport,
  Whoami,
} from './types';

/** Every admin API call the console makes, in one place. */

export const whoami = (api: AdminClient) => api.get<Whoami>('/admin/whoami');
/** Names for the token ids the audit trail shows. */
export const listAdminTokens = (api: AdminClient) => api.get<List<AdminToken>>('/admin/tokens');

export const listTeams = (api: AdminClient) => api.get<List<Team>>('/admin/teams');
export const createTeam = (api: AdminClient, name: string) => api.post<Team>('/admin/teams', { name });

export const listProjects = (api: AdminClient, teamId?: string) =>
  api.get<List<Project>>('/admin/projects', { team_id: teamId });
export const createProject = (api: AdminClient, teamId: string, name: string) =>
  api.post<Project>('/admin/projects', { team_id: teamId, name });
/** Changes what is given; what is left out stays as it is. */
export const updateProject = (api: AdminClient, id: string, changes: { on_anomaly?: OnAnomaly }) =>
  api.patch<Project>(`/admin/projects/${id}`, changes);
/** Lifts the project's suspension (its keys' own suspensions stay); answers its state when it was not suspended. */
export const resumeProject = (api: AdminClient, id: string) => api.post<Project>(`/admin/projects/${id}/resume`);

export interface NewKey {
  project_id: string;
  name: string;
  environment: Environment;
  models?: string[];
  tiers?: string[];
  allowed_ips?: string[];
  expires_at?: string;
  /** The person or service the key belongs to; usage can be grouped by it. */
  owner?: string;
}

export const listKeys = (api: AdminClient, projectId?: string) =>
  api.get<List<GatewayKey>>('/admin/keys', { project_id: projectId });
export const createKey = (api: AdminClient, key: NewKey) => api.post<IssuedKey>('/admin/keys', key);
export const rotateKey = (api: AdminClient, id: string) => api.post<IssuedKey>(`/admin/keys/${id}/rotate`);
export const revokeKey = (api: AdminClient, id: string) => api.post<GatewayKey>(`/admin/keys/${id}/revoke`);
/** Lifts the key's own suspension; answers its state when it was not suspended. */
export const resumeKey = (api: AdminClient, id: string) => api.post<GatewayKey>(`/admin/keys/${id}/resume`);

export interface Access {
  models: string[] | null;
  tiers: string[] | null;
  allowed_ips?: string[] | null;
}

export const setAccess = (api: AdminClient, kind: 'projects' | 'keys', id: string, access: Access) =>
  api.put<unknown>(`/admin/${kind}/${id}/access`, access);

/** The budget of a team, project or key and where it stands; null when it has none (the API's 404). */
export async function findBalance(api: AdminClient, kind: ScopeKind, id: string): Promise<Balance | null> {
  try {
    return await api.get<Balance>(`/admin/${kind}/${id}/balance`);
  } catch (error) {
    if (error instanceof AdminApiError && error.status === 404) return null;
    throw error;
  }
}
export const setBudget = (api: AdminClient, kind: ScopeKind, id: string, limitUsd: number, period: BudgetPeriod) =>
  api.put<Balance>(`/admin/${kind}/${id}/budget`, { limit_usd: limitUsd, period });
export const removeBudget = (api: AdminClient, kind: ScopeKind, id: string) =>
  api.delete(`/admin/${kind}/${id}/budget`);

export const getRateLimits = (api: AdminClient, kind: ScopeKind, id: string) =>
  api.get<RateLimits>(`/admin/${kind}/${id}/rate-limits`);
/** A number sets a limit, null lifts it, an absent field falls back to the configured default. */
export const setRateLimits = (api: AdminClient, kind: ScopeKind, id: string, limits: Partial<RateLimits>) =>
  api.put<RateLimits>(`/admin/${kind}/${id}/rate-limits`, limits);

export interface UsageQuery {
  group_by: UsageGrouping;
  /** Whole UTC days, `YYYY-MM-DD`, both included. */
  since?: string;
  until?: string;
  team_id?: string;
  project_id?: string;
  key_id?: string;
}

export const usage = (api: AdminClient, query: UsageQuery) => api.get<UsageReport>('/admin/usage', { ...query });

/** The filters `GET /admin/requests` and its export take. */
export interface RequestFilter extends Query {
  request_id?: string;
  team_id?: string;
  project_id?: string;
  key_id?: string;
  /** The key's owner when the request was made. */
  owner?: string;
  model?: string;
  api?: string;
  /** An exact status (`429`) or a class (`5xx`). */
  status?: string;
  /** `true`: the route moved on to a fallback model (served by it or failed there too); `false`: it did not. */
  fallback?: string;
  error_code?: string;
  /** ISO timestamps; `since` included, `until` excluded. */
  since?: string;
  until?: string;
}

export const listRequests = (api: AdminClient, filter: RequestFilter, limit: number, cursor?: string | null) =>
  api.get<Page<RequestRecord, string>>('/admin/requests', { ...filter, limit, cursor });
export const getRequest = (api: AdminClient, requestId: string) =>
  api.get<RequestRecord>(`/admin/requests/${encodeURIComponent(requestId)}`);
export const exportRequests = (api: AdminClient, filter: RequestFilter, format: 'csv' | 'jsonl') =>
  api.download('/admin/requests/export', { ...filter, format });

export interface AuditFilter extends Query {
  actor?: string;
  action?: string;
  target_type?: string;
  target_id?: string;
}

export const listAuditEvents = (api: AdminClient, filter: AuditFilter, cursor?: number | null) =>
  api.get<Page<AuditEvent, number>>('/admin/audit-events', { ...filter, limit: 50, cursor });
export const verifyAuditChain = (api: AdminClient) => api.get<ChainVerification>('/admin/audit-events/verify');

export interface AccessFilter extends Query {
  actor?: string;
  outcome?: 'allowed' | 'refused' | '';
  route?: string;
}

export const listAccessEvents = (api: AdminClient, filter: AccessFilter, cursor?: number | null) =>
  api.get<Page<AccessEvent, number>>('/admin/access-events', { ...filter, limit: 50, cursor });
export const verifyAccessChain = (api: AdminClient) => api.get<ChainVerification>('/admin/access-events/verify');

export const getConfig = (api: AdminClient) => api.get<ConfigSummary>('/admin/config');
/** A rejected file answers 400 with the validation message; the catalog in use keeps serving. */
export const reloadConfig = (api: AdminClient) => api.post<ConfigReload>('/admin/config/reload');

export interface AlertFilter extends Query {
  kind?: AlertKind | '';
  /** `false`: those still to look at. */
  acknowledged?: 'true' | 'false' | '';
}

export const listAlerts = (api: AdminClient, filter: AlertFilter, limit = 100) =>
  api.get<List<Alert>>('/admin/alerts', { ...filter, limit });
/** Answers the alert without its delivery state; acknowledging it again keeps the first acknowledgement. */
export const acknowledgeAlert = (api: AdminClient, id: string) =>
  api.post<Omit<Alert, 'delivered_at' | 'delivery_failing' | 'deliveries'>>(`/admin/alerts/${id}/ack`);

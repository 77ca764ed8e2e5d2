/** The admin API's response shapes, as the console reads them (snake_case, as on the wire). */

export type Role = 'owner' | 'team_admin' | 'auditor';

/** `GET /admin/whoami`: who the presented token is. */
export interface Whoami {
  id: string;
  name: string;
  role: Role;
  team_ids: string[];
}

export interface List<T> {
  object: 'list';
  data: T[];
}

export interface Page<T, C> extends List<T> {
  /** Pass back as `cursor` for the next (older) page; null on the last page. */
  next_cursor: C | null;
}

export interface Team {
  id: string;
  name: string;
  created_at: string;
}

/** A model or tier allow-list; null means no limit. */
export type AllowList = string[] | null;

export interface Project {
  id: string;
  name: string;
  team_id: string;
  models: AllowList;
  tiers: AllowList;
  created_at: string;
}

export const ENVIRONMENTS = ['test', 'staging', 'production'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

export interface GatewayKey {
  id: string;
  key_prefix: string;
  masked_key: string;
  name: string;
  project_id: string;
  environment: Environment;
  models: AllowList;
  tiers: AllowList;
  allowed_ips: AllowList;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
  created_at: string;
  /** The person or service the key belongs to. */
  owner: string | null;
}

/** A key as created or rotated: the only response that carries the key itself. */
export interface IssuedKey extends GatewayKey {
  key: string;
  rotated_from?: string;
}

export const BUDGET_PERIODS = ['monthly', 'weekly', 'daily', 'total'] as const;
export type BudgetPeriod = (typeof BUDGET_PERIODS)[number];

export interface Balance {
  limit_usd: number;
  spent_usd: number;
  reserved_usd: number;
  remaining_usd: number;
  period: BudgetPeriod;
  resets_at: string | null;
}

/** The limits in force (overrides, else the configured defaults); null means no limit. */
export interface RateLimits {
  rpm: number | null;
  tpm: number | null;
}

/** What a quota or access route is about: `/admin/{teams|projects|keys}/{id}/…`. */
export type ScopeKind = 'teams' | 'projects' | 'keys';

export const USAGE_GROUPINGS = ['team', 'project', 'key', 'model', 'api', 'day', 'owner'] as const;
export type UsageGrouping = (typeof USAGE_GROUPINGS)[number];

/** One group of `GET /admin/usage`: the group's column (`team_id`, `model`, `day`, …) plus the sums. */
export interface UsageRow {
  team_id?: string | null;
  project_id?: string | null;
  key_id?: string | null;
  model?: string | null;
  api?: string | null;
  day?: string;
  owner?: string | null;
  requests: number;
  errors: number;
  prompt_tokens: number;
  cached_tokens: number;
  completion_tokens: number;
  reasoning_tokens: number;
  cost_micro_usd: number;
}

export interface UsageReport extends List<UsageRow> {
  group_by: UsageGrouping;
  since: string;
  until: string;
}

export interface AttemptRecord {
  deployment: string;
  status: number | null;
  error_code: string | null;
  duration_ms: number;
}

export const INBOUND_APIS = ['chat', 'embeddings', 'messages', 'count_tokens', 'responses'] as const;

export interface RequestRecord {
  id: string;
  created_at: string;
  request_id: string;
  key_id: string | null;
  masked_key: string | null;
  team_id: string | null;
  project_id: string | null;
  environment: Environment | null;
  method: string;
  endpoint: string;
  api: string | null;
  stream: boolean;
  model_requested: string | null;
  model_served: string | null;
  deployment: string | null;
  attempts: AttemptRecord[];
  fallback_reason: string | null;
  status: number;
  client_aborted: boolean;
  error_type: string | null;
  error_code: string | null;
  upstream_message: string | null;
  latency_ms: number;
  ttfb_ms: number | null;
  prompt_tokens: number | null;
  cached_tokens: number | null;
  completion_tokens: number | null;
  reasoning_tokens: number | null;
  usage_source: string | null;
  cost_micro_usd: number | null;
  client_ip: string | null;
  user_agent: string | null;
  end_user: string | null;
  tags: Record<string, string> | null;
}

export interface AuditEvent {
  id: number;
  occurred_at: string;
  /** The admin key or token id, `env:SWITCHYARD_ADMIN_KEY`, or `system:<what>`. */
  actor: string;
  /** The acting token's role; null for the system and for events from before roles existed. */
  actor_role: Role | null;
  action: string;
  target_type: string;
  target_id: string | null;
  before: unknown;
  after: unknown;
  prev_hash: string;
  hash: string;
}

export interface ChainVerification {
  ok: boolean;
  count: number;
  first_bad_id: number | null;
}

/** One admin API call as the access log keeps it: who called which route, and whether the role allowed it. */
export interface AccessEvent {
  id: number;
  occurred_at: string;
  actor: string;
  actor_role: Role | null;
  outcome: 'allowed' | 'refused';
  request_id: string;
  method: string;
  /** The route's pattern, e.g. `/admin/requests/:request_id`. */
  route: string;
  params: Record<string, string> | null;
  query: Record<string, string> | null;
  prev_hash: string;
  hash: string;
}

/** `GET /admin/tokens`: admin tokens, without the tokens themselves. */
export interface AdminToken {
  id: string;
  name: string;
  role: Role;
  team_ids: string[];
}

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

/**
 * A key's or project's suspension by anomaly detection (or an admin): all null unless suspended. A suspended
 * key, or any key of a suspended project, gets 403 `key_suspended` until an admin resumes it.
 */
export interface Suspension {
  suspended_at: string | null;
  suspended_reason: string | null;
  /** Who suspended it: `system:anomaly-detection`, or an admin's id. */
  suspended_by: string | null;
  /** When an admin last lifted a suspension. */
  resumed_at: string | null;
}

/** What anomaly detection does about a project besides alerting: nothing, or suspend what is anomalous. */
export const ON_ANOMALY_ACTIONS = ['none', 'suspend'] as const;
export type OnAnomaly = (typeof ON_ANOMALY_ACTIONS)[number];

export interface Project extends Suspension {
  id: string;
  name: string;
  team_id: string;
  models: AllowList;
  tiers: AllowList;
  on_anomaly: OnAnomaly;
  created_at: string;
}

export const ENVIRONMENTS = ['test', 'staging', 'production'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

export interface GatewayKey extends Suspension {
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

export const INBOUND_APIS = ['chat', 'embeddings', 'messages', 'count_tokens', 'responses', 'images'] as const;

/** The status classes the evidence search filters by (besides exact statuses). */
export const STATUS_CLASSES = ['2xx', '3xx', '4xx', '5xx'] as const;

export interface RequestRecord {
  id: string;
  created_at: string;
  request_id: string;
  key_id: string | null;
  masked_key: string | null;
  /** The key's owner (a person or service) when the request was made. */
  owner: string | null;
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

/** A price of the catalog, in USD as the config file states it: per million tokens, or per image by size. */
export type CatalogPrice = { effective_from: string | null } & (
  | { input_per_mtok: number; output_per_mtok: number; cached_input_per_mtok: number | null }
  | { per_image: Record<string, number> }
);

export interface CatalogProvider {
  id: string;
  type: string;
  /** Scheme, host and path only. */
  base_url: string | null;
  /** Never the key itself; null for a provider type that takes none. */
  api_key: 'configured' | 'missing' | null;
  /** Header names only. */
  headers: string[];
  max_sockets: number;
}

export interface CatalogModel {
  name: string;
  aliases: string[];
  tier: string | null;
  kind: string;
  max_output_tokens: number;
  pricing: CatalogPrice[] | null;
  deployments: Array<{
    provider: string;
    model: string;
    weight: number;
    priority: number;
    pricing: CatalogPrice[] | null;
  }>;
  fallbacks: string[];
  timeouts: { connect_ms: number; ttfb_ms: number; idle_ms: number; total_ms: number };
  retry: { max_attempts: number; base_delay_ms: number; max_delay_ms: number };
  health: { failure_threshold: number; cooldown_ms: number; max_cooldown_ms: number };
}

/** Requests and tokens per minute; null means no limit. */
export interface PerMinute {
  rpm: number | null;
  tpm: number | null;
}

/** `GET /admin/config`: the catalog that serves and this instance's effective limits, without secrets. */
export interface ConfigSummary {
  catalog: {
    source: string;
    generation: number;
    loaded_at: string;
    retry_budget: { ratio: number; min_retries: number; window_ms: number };
    providers: CatalogProvider[];
    models: CatalogModel[];
    alerts: {
      webhooks: Array<{ origin: string }>;
      budget_thresholds: number[];
      anomaly: { window_s: number; factor: number; min_requests: number };
    };
  };
  limits: {
    requests: {
      body_limit_bytes: number;
      request_timeout_ms: number;
      client_stall_timeout_ms: number;
      overload_max_in_flight: number | null;
      overload_max_lag_ms: number | null;
      max_streams_per_key: number | null;
    };
    rate_limits: {
      store: 'redis' | 'memory';
      redis: string | null;
      on_redis_failure: 'open' | 'closed';
      instances: number;
      redis_timeout_ms: number;
      defaults: { key: PerMinute; project: PerMinute; team: PerMinute };
    };
    budgets: {
      lease_chunk_usd: number;
      reservation_ttl_ms: number;
      flush_interval_ms: number;
      policy_cache_ms: number;
    };
    database: { store: 'external' | 'embedded'; outage_grace_ms: number };
    evidence: { retention_days: number };
    auth: { key_cache_ms: number };
  };
}

/** `POST /admin/config/reload`. */
export interface ConfigReload {
  trigger: string;
  accepted: boolean;
  models: number;
  error: string | null;
}

export const ALERT_KINDS = ['budget_threshold', 'spend_anomaly', 'auth_failures', 'new_ip', 'new_model'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/** `GET /admin/alerts`: an alert, its delivery to the configured webhooks and its acknowledgement. */
export interface Alert {
  id: string;
  kind: AlertKind;
  created_at: string;
  subject: { type: 'team' | 'project' | 'key'; id: string };
  /** Figures and ids about the condition, by kind (e.g. threshold_percent, limit_usd, spent_usd). */
  details: Record<string, unknown>;
  /** When every configured webhook had it; null while one has not (or when none is configured). */
  delivered_at: string | null;
  delivery_failing: boolean;
  deliveries: Array<{
    webhook_id: string;
    attempts: number;
    delivered_at: string | null;
    next_attempt_at: string | null;
    last_error: string | null;
  }>;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
}

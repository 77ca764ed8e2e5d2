import type { AuditSettings } from '@app/audit';
import type { PersistenceSettings } from '@app/persistence';
import type { QuotaSettings } from '@app/quota';
import type { ServerSettings } from '../../server.config';
import { publicUrl } from './catalog-summary.view';

/** The settings this instance started with (environment variables), as their libs parsed them. */
export interface InstanceSettings {
  server: ServerSettings;
  quota: QuotaSettings;
  persistence: PersistenceSettings;
  audit: AuditSettings;
  /** How long a key lookup is cached: how late this instance may see a revocation made elsewhere. */
  authCacheTtlMs: number;
}

/** A per-minute limit as the API shows it: null means none (0 in the environment). */
const perMinute = (value: number) => (value === 0 ? null : value);

/**
 * What a user of this instance runs into, from its environment: request and body limits, overload
 * shedding, default rate limits and where their counters live, budget bookkeeping, how long the gateway
 * serves through a database outage. Connection strings are reduced to where they point (the database's
 * not even that); the admin key is not among the fields.
 */
export function limitsView(settings: InstanceSettings) {
  const { server, quota, persistence, audit } = settings;
  return {
    requests: {
      body_limit_bytes: server.bodyLimitBytes,
      request_timeout_ms: server.connections.requestTimeoutMs,
      client_stall_timeout_ms: server.connections.clientStallTimeoutMs,
      /** null: not shed on that ground. */
      overload_max_in_flight: server.overload.maxInFlight || null,
      overload_max_lag_ms: server.overload.maxLagMs || null,
      max_streams_per_key: server.overload.maxStreamsPerKey || null,
    },
    rate_limits: {
      store: quota.redisUrl ? 'redis' : 'memory',
      redis: quota.redisUrl ? publicUrl(quota.redisUrl) : null,
      /** While Redis is unreachable: `open` counts in memory (1/instances of each limit), `closed` refuses. */
      on_redis_failure: quota.redisFailureMode,
      instances: quota.instances,
      redis_timeout_ms: quota.redisTimeoutMs,
      defaults: {
        key: { rpm: perMinute(quota.defaultRateLimits.key.rpm), tpm: perMinute(quota.defaultRateLimits.key.tpm) },
        project: {
          rpm: perMinute(quota.defaultRateLimits.project.rpm),
          tpm: perMinute(quota.defaultRateLimits.project.tpm),
        },
        team: { rpm: perMinute(quota.defaultRateLimits.team.rpm), tpm: perMinute(quota.defaultRateLimits.team.tpm) },
      },
    },
    budgets: {
      lease_chunk_usd: Number(quota.leaseChunkMicros) / 1e6,
      reservation_ttl_ms: quota.reservationTtlMs,
      flush_interval_ms: quota.flushIntervalMs,
      /** How late a budget or rate-limit change made elsewhere may be seen here. */
      policy_cache_ms: quota.policyCacheMs,
    },
    database: {
      store: persistence.databaseUrl ? 'external' : 'embedded',
      /** While the database is unreachable, how long what it last confirmed keeps serving; 0: nothing does. */
      outage_grace_ms: persistence.outageGraceMs,
    },
    evidence: { retention_days: audit.retentionDays },
    auth: { key_cache_ms: settings.authCacheTtlMs },
  };
}

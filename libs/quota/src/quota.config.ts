import { registerAs } from '@nestjs/config';
import { z } from 'zod';
import { parseEnv } from '@app/common';
import { usdToMicros } from './money/micros';

const limit = z.coerce.number().int().min(0).default(0);
const usd = z
  .string()
  .regex(/^\d+(\.\d{1,6})?$/, 'must be a USD amount with at most 6 decimals, e.g. 1 or 0.25')
  .transform((text) => usdToMicros(text));

const schema = z
  .object({
    REDIS_URL: z
      .url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' })
      .optional()
      .or(z.literal('').transform(() => undefined)),
    RATE_LIMIT_KEY_RPM: limit,
    RATE_LIMIT_KEY_TPM: limit,
    RATE_LIMIT_PROJECT_RPM: limit,
    RATE_LIMIT_PROJECT_TPM: limit,
    RATE_LIMIT_TEAM_RPM: limit,
    RATE_LIMIT_TEAM_TPM: limit,
    RATE_LIMIT_REDIS_FAILURE: z.enum(['open', 'closed']).default('open'),
    RATE_LIMIT_INSTANCES: z.coerce.number().int().min(1).default(1),
    RATE_LIMIT_REDIS_TIMEOUT_MS: z.coerce.number().int().min(10).max(5_000).default(200),
    QUOTA_LEASE_CHUNK_USD: usd.default(1_000_000n),
    QUOTA_RESERVATION_TTL_MS: z.coerce.number().int().min(1_000).default(60_000),
    QUOTA_FLUSH_INTERVAL_MS: z.coerce.number().int().min(10).default(1_000),
    QUOTA_POLICY_CACHE_MS: z.coerce.number().int().min(0).max(5_000).default(5_000),
    QUOTA_LEDGER_BUFFER_MAX_ROWS: z.coerce.number().int().min(100).max(1_000_000).default(50_000),
  })
  .refine((env) => env.QUOTA_RESERVATION_TTL_MS >= 5 * env.QUOTA_FLUSH_INTERVAL_MS, {
    path: ['QUOTA_RESERVATION_TTL_MS'],
    message: 'must be at least 5 × QUOTA_FLUSH_INTERVAL_MS, so a live instance always renews its leases in time',
  });

/** Requests and tokens per minute; 0 means no limit. */
export interface RateLimitValues {
  rpm: number;
  tpm: number;
}

export interface QuotaSettings {
  /** Shared rate-limit counters; without it each instance counts alone, in memory. */
  redisUrl: string | undefined;
  /** Limits for keys, projects and teams that have no override. */
  defaultRateLimits: { key: RateLimitValues; project: RateLimitValues; team: RateLimitValues };
  /** While Redis is unreachable: `open` counts in memory (each instance enforcing its share), `closed` refuses. */
  redisFailureMode: 'open' | 'closed';
  /** How many instances share the limits; in fail-open mode each enforces 1/n of every limit. */
  instances: number;
  redisTimeoutMs: number;
  /** Largest budget headroom an instance leases at once, in micro-USD. */
  leaseChunkMicros: bigint;
  /** A lease not renewed for this long belongs to a dead instance and is released. */
  reservationTtlMs: number;
  /** How often settled costs are written to the ledger and leases renewed. */
  flushIntervalMs: number;
  /** How long budgets and rate-limit overrides are cached; bounds how late another instance sees a change. */
  policyCacheMs: number;
  /** Settled entries held in memory while Postgres is unreachable; beyond it they wait on disk. */
  ledgerBufferMaxRows: number;
}

export const quotaConfig = registerAs('quota', (): QuotaSettings => {
  const env = parseEnv('quota', schema);
  return {
    redisUrl: env.REDIS_URL,
    defaultRateLimits: {
      key: { rpm: env.RATE_LIMIT_KEY_RPM, tpm: env.RATE_LIMIT_KEY_TPM },
      project: { rpm: env.RATE_LIMIT_PROJECT_RPM, tpm: env.RATE_LIMIT_PROJECT_TPM },
      team: { rpm: env.RATE_LIMIT_TEAM_RPM, tpm: env.RATE_LIMIT_TEAM_TPM },
    },
    redisFailureMode: env.RATE_LIMIT_REDIS_FAILURE,
    instances: env.RATE_LIMIT_INSTANCES,
    redisTimeoutMs: env.RATE_LIMIT_REDIS_TIMEOUT_MS,
    leaseChunkMicros: env.QUOTA_LEASE_CHUNK_USD,
    reservationTtlMs: env.QUOTA_RESERVATION_TTL_MS,
    flushIntervalMs: env.QUOTA_FLUSH_INTERVAL_MS,
    policyCacheMs: env.QUOTA_POLICY_CACHE_MS,
    ledgerBufferMaxRows: env.QUOTA_LEDGER_BUFFER_MAX_ROWS,
  };
});

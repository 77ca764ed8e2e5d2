import { registerAs } from '@nestjs/config';
import { z } from 'zod';
import { invalidIpRange } from '@app/auth';
import { parseEnv } from '@app/common';

/** Names proxy-addr (Fastify's trustProxy) knows besides addresses and CIDR ranges. */
const PROXY_RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * Whose X-Forwarded-For to believe for the client IP (key IP allow-lists): `false` (the socket address),
 * `true` (any proxy: only behind a proxy that overwrites the header), or the proxies' addresses. No hop count:
 * it cannot check who sent the header, so a direct client could spoof its address (Fastify ≥ 5.12 ignores it).
 */
const trustProxy = z
  .string()
  .trim()
  .default('false')
  .transform((text, ctx): boolean | string[] => {
    if (text === 'false' || text === '') return false;
    if (text === 'true') return true;
    if (/^\d+$/.test(text)) {
      ctx.addIssue({
        code: 'custom',
        message: `a hop count ("${text}") cannot tell a proxy from a client that sets X-Forwarded-For itself; name the proxies' addresses or CIDR ranges`,
      });
      return z.NEVER;
    }
    const ranges = text.split(',').map((entry) => entry.trim());
    const bad = invalidIpRange(ranges.filter((entry) => !PROXY_RANGE_NAMES.has(entry)));
    if (bad === undefined) return ranges;
    ctx.addIssue({
      code: 'custom',
      message: `"${bad}" is not true, false, an address, a CIDR range or loopback/linklocal/uniquelocal`,
    });
    return z.NEVER;
  });

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1_024)
    .default(20 * 1024 * 1024),
  SHUTDOWN_DRAIN_DELAY_MS: z.coerce.number().int().min(0).max(300_000).default(0),
  TRUST_PROXY: trustProxy,
  REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  CLIENT_STALL_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  OVERLOAD_MAX_IN_FLIGHT: z.coerce.number().int().min(0).default(4_000),
  OVERLOAD_MAX_LAG_MS: z.coerce.number().int().min(0).max(60_000).default(500),
  MAX_STREAMS_PER_KEY: z.coerce.number().int().min(0).default(0),
});

/** Limits on how long a client may take to send a request and to take its answer. */
export interface ConnectionLimits {
  /** Request line, headers and body must all arrive within this; else 408 and the connection is closed. */
  requestTimeoutMs: number;
  /** A client that takes none of the bytes waiting for it for this long is cut (recorded as client_stalled). */
  clientStallTimeoutMs: number;
}

/** When new `/v1` requests are refused at once (503 overloaded) rather than queued behind the others; 0 = off. */
export interface OverloadLimits {
  /** `/v1` requests being handled by this instance, streams included. */
  maxInFlight: number;
  /** How late the event loop may run its timers (sampled every 100 ms). */
  maxLagMs: number;
  /** Streams one key may have open on this instance; more get 429. */
  maxStreamsPerKey: number;
}

export interface ServerSettings {
  port: number;
  host: string;
  bodyLimitBytes: number;
  /** On SIGTERM, how long readiness reports 503 before the listener closes (load balancer deregistration). */
  drainDelayMs: number;
  trustProxy: boolean | string[];
  connections: ConnectionLimits;
  overload: OverloadLimits;
}

export const serverConfig = registerAs('server', (): ServerSettings => {
  const env = parseEnv('server', schema);
  return {
    port: env.PORT,
    host: env.HOST,
    bodyLimitBytes: env.BODY_LIMIT_BYTES,
    drainDelayMs: env.SHUTDOWN_DRAIN_DELAY_MS,
    trustProxy: env.TRUST_PROXY,
    connections: { requestTimeoutMs: env.REQUEST_TIMEOUT_MS, clientStallTimeoutMs: env.CLIENT_STALL_TIMEOUT_MS },
    overload: {
      maxInFlight: env.OVERLOAD_MAX_IN_FLIGHT,
      maxLagMs: env.OVERLOAD_MAX_LAG_MS,
      maxStreamsPerKey: env.MAX_STREAMS_PER_KEY,
    },
  };
});

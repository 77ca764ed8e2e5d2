import { registerAs } from '@nestjs/config';
import { z } from 'zod';
import { parseEnv } from '@app/common';

const ms = (min: number, max: number, fallback: number) => z.coerce.number().int().min(min).max(max).default(fallback);

const schema = z
  .object({
    ALERTS_DELIVERY_POLL_MS: ms(10, 60_000, 1_000),
    ALERTS_DELIVERY_BASE_DELAY_MS: ms(10, 3_600_000, 5_000),
    ALERTS_DELIVERY_MAX_DELAY_MS: ms(10, 86_400_000, 600_000),
    ALERTS_DELIVERY_TIMEOUT_MS: ms(100, 120_000, 10_000),
    ALERTS_DELIVERY_FAILING_ATTEMPTS: z.coerce.number().int().min(1).max(1_000).default(10),
    ALERTS_RAISE_BUFFER_MAX: z.coerce.number().int().min(0).max(100_000).default(1_000),
  })
  .refine((env) => env.ALERTS_DELIVERY_MAX_DELAY_MS >= env.ALERTS_DELIVERY_BASE_DELAY_MS, {
    path: ['ALERTS_DELIVERY_MAX_DELAY_MS'],
    message: 'must be at least ALERTS_DELIVERY_BASE_DELAY_MS',
  });

export interface AlertsSettings {
  /** How often each instance looks for due deliveries. */
  pollMs: number;
  /** The first retry's delay; it doubles per failed attempt (with jitter) up to `maxDelayMs`. */
  baseDelayMs: number;
  /** The longest wait between two attempts: a delivery failing for good is retried at this pace, forever. */
  maxDelayMs: number;
  /** One POST's time limit, headers and body. */
  timeoutMs: number;
  /** Failed attempts after which a pending delivery counts as failing (metrics, `GET /admin/alerts`). */
  failingAttempts: number;
  /** Alerts held in memory while Postgres is unreachable; beyond it new ones are dropped, counted and logged. */
  raiseBufferMax: number;
}

export const alertsConfig = registerAs('alerts', (): AlertsSettings => {
  const env = parseEnv('alerts', schema);
  return {
    pollMs: env.ALERTS_DELIVERY_POLL_MS,
    baseDelayMs: env.ALERTS_DELIVERY_BASE_DELAY_MS,
    maxDelayMs: env.ALERTS_DELIVERY_MAX_DELAY_MS,
    timeoutMs: env.ALERTS_DELIVERY_TIMEOUT_MS,
    failingAttempts: env.ALERTS_DELIVERY_FAILING_ATTEMPTS,
    raiseBufferMax: env.ALERTS_RAISE_BUFFER_MAX,
  };
});

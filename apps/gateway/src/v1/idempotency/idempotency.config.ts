import { registerAs } from '@nestjs/config';
import { z } from 'zod';
import { parseEnv } from '@app/common';

const MIB = 1024 * 1024;

const schema = z.object({
  IDEMPOTENCY_TTL_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 30)
    .default(24),
  IDEMPOTENCY_WAIT_MS: z.coerce.number().int().min(0).max(600_000).default(60_000),
  IDEMPOTENCY_MAX_RESPONSE_BYTES: z.coerce
    .number()
    .int()
    .min(1_024)
    .max(64 * MIB)
    .default(4 * MIB),
});

/** Requests with an `Idempotency-Key` header (docs/idempotency.md). */
export interface IdempotencySettings {
  /** How long a stored answer is replayed, counted from the first request; purged afterwards. */
  ttlMs: number;
  /** How long a repeat waits for the first request still in flight before it gets 409; 0 = 409 at once. */
  waitMs: number;
  /** The largest answer (body or stream, as sent) that is kept for replay; a larger one is answered, not kept. */
  maxResponseBytes: number;
}

export const idempotencyConfig = registerAs('idempotency', (): IdempotencySettings => {
  const env = parseEnv('idempotency', schema);
  return {
    ttlMs: Math.round(env.IDEMPOTENCY_TTL_HOURS * 3_600_000),
    waitMs: env.IDEMPOTENCY_WAIT_MS,
    maxResponseBytes: env.IDEMPOTENCY_MAX_RESPONSE_BYTES,
  };
});

import { registerAs } from '@nestjs/config';
import { z } from 'zod';
import { parseEnv } from '@app/common';

const schema = z.object({
  SWITCHYARD_ADMIN_KEY: z
    .string()
    .min(16, 'must be at least 16 characters')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  AUTH_CACHE_TTL_MS: z.coerce.number().int().min(0).max(300_000).default(5_000),
  AUTH_LAST_USED_FLUSH_MS: z.coerce.number().int().min(100).default(30_000),
});

export interface AuthSettings {
  /** Admin key given by the operator; when absent, zero-setup mode creates one on first start. */
  adminKey: string | undefined;
  /** How long a key lookup is trusted; bounds how late another instance sees a revocation. */
  cacheTtlMs: number;
  lastUsedFlushMs: number;
}

export const authConfig = registerAs('auth', (): AuthSettings => {
  const env = parseEnv('auth', schema);
  return {
    adminKey: env.SWITCHYARD_ADMIN_KEY,
    cacheTtlMs: env.AUTH_CACHE_TTL_MS,
    lastUsedFlushMs: env.AUTH_LAST_USED_FLUSH_MS,
  };
});

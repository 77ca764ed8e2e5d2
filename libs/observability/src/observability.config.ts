import { registerAs } from '@nestjs/config';
import { z } from 'zod';
import { parseEnv } from '@app/common';

const schema = z.object({
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  METRICS_TOKEN: z
    .string()
    .min(16, 'must be at least 16 characters')
    .optional()
    .or(z.literal('').transform(() => undefined)),
});

export interface ObservabilitySettings {
  logLevel: string;
  /** When set, GET /metrics requires `Authorization: Bearer <token>`; otherwise it is public. Secret. */
  metricsToken: string | undefined;
}

export const observabilityConfig = registerAs('observability', (): ObservabilitySettings => {
  const env = parseEnv('observability', schema);
  return { logLevel: env.LOG_LEVEL, metricsToken: env.METRICS_TOKEN };
});

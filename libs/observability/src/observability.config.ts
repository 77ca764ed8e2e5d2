import { registerAs } from '@nestjs/config';
import { z } from 'zod';
import { parseEnv } from '@app/common';

const schema = z.object({
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export const observabilityConfig = registerAs('observability', () => ({ logLevel: parseEnv('observability', schema).LOG_LEVEL }));

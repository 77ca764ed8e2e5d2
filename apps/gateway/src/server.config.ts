import { registerAs } from '@nestjs/config';
import { z } from 'zod';
import { parseEnv } from '@app/common';

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1_024).default(20 * 1024 * 1024),
});

export interface ServerSettings {
  port: number;
  host: string;
  bodyLimitBytes: number;
}

export const serverConfig = registerAs('server', (): ServerSettings => {
  const env = parseEnv('server', schema);
  return { port: env.PORT, host: env.HOST, bodyLimitBytes: env.BODY_LIMIT_BYTES };
});

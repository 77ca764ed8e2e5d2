import { registerAs } from '@nestjs/config';
import { z } from 'zod';
import { parseEnv } from '@app/common';

const schema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  SWITCHYARD_DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
});

export interface PersistenceSettings {
  /** External Postgres; when absent the embedded database under `dataDir` is used. */
  databaseUrl: string | undefined;
  dataDir: string;
  poolSize: number;
}

export const persistenceConfig = registerAs('persistence', (): PersistenceSettings => {
  const env = parseEnv('persistence', schema);
  return { databaseUrl: env.DATABASE_URL, dataDir: env.SWITCHYARD_DATA_DIR, poolSize: env.DATABASE_POOL_SIZE };
});

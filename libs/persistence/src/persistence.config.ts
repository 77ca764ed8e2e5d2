import { registerAs } from '@nestjs/config';
import { join } from 'node:path';
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
  DATABASE_OUTAGE_GRACE_MS: z.coerce.number().int().min(0).max(86_400_000).default(600_000),
  DATABASE_SPILL_DIR: z.string().min(1).optional(),
  DATABASE_SPILL_MAX_MB: z.coerce.number().int().min(1).max(1_048_576).default(1_024),
});

export interface PersistenceSettings {
  /** External Postgres; when absent the embedded database under `dataDir` is used. */
  databaseUrl: string | undefined;
  dataDir: string;
  poolSize: number;
  /**
   * While the database is unreachable, how long what it last confirmed (a key and its allow-lists, quota
   * policies) stays usable, counted from that confirmation. 0: nothing is served without the database.
   */
  outageGraceMs: number;
  /** Where evidence and ledger rows that do not fit in memory wait for the database (a subdirectory per database). */
  spillDir: string;
  /** The spill directory's size limit, in bytes. */
  spillMaxBytes: number;
}

export const persistenceConfig = registerAs('persistence', (): PersistenceSettings => {
  const env = parseEnv('persistence', schema);
  return {
    databaseUrl: env.DATABASE_URL,
    dataDir: env.SWITCHYARD_DATA_DIR,
    poolSize: env.DATABASE_POOL_SIZE,
    outageGraceMs: env.DATABASE_OUTAGE_GRACE_MS,
    spillDir: env.DATABASE_SPILL_DIR ?? join(env.SWITCHYARD_DATA_DIR, 'spill'),
    spillMaxBytes: env.DATABASE_SPILL_MAX_MB * 1024 * 1024,
  };
});

import type { ZodType } from 'zod';
import { configErrorFromZod } from './config-error';

/** Parses one lib's slice of the environment with its schema; a bad variable fails boot by name. */
export function parseEnv<T>(namespace: string, schema: ZodType<T>, env: NodeJS.ProcessEnv = process.env): T {
  const result = schema.safeParse(env);
  if (!result.success) throw configErrorFromZod(`${namespace} settings (environment)`, result.error);
  return result.data;
}

import { resolve } from 'node:path';
import { configErrorFromZod, loadYamlConfig } from '@app/common';
import { CatalogConfig, catalogSchema } from './catalog.schema';

/** Reads, interpolates and validates the catalog file; throws a `ConfigError` naming the bad path. */
export function loadCatalog(path: string, env: NodeJS.ProcessEnv = process.env): CatalogConfig {
  const file = resolve(path);
  const result = catalogSchema.safeParse(loadYamlConfig(file, env));
  if (!result.success) throw configErrorFromZod(`config file ${file}`, result.error);
  return result.data;
}

import { DataSource, DataSourceOptions } from 'typeorm';
import { EmbeddedPostgres, startEmbeddedPostgres } from './embedded-postgres';
import { MIGRATIONS } from './migrations';
import type { PersistenceSettings } from './persistence.config';
import { SnakeNamingStrategy } from './snake-naming.strategy';

// Any constant works; it only has to be the same for every instance migrating this database.
const MIGRATION_LOCK_KEY = 7_305_142_019;

/** The entity classes (or schemas) to map, in TypeORM's own terms. */
export type EntityList = NonNullable<DataSourceOptions['entities']>;

export interface Database {
  dataSource: DataSource;
  embedded: boolean;
  close(): Promise<void>;
}

/** Connects to the configured Postgres (or starts the embedded one) and applies pending migrations. */
export async function openDatabase(settings: PersistenceSettings, entities: EntityList): Promise<Database> {
  let embedded: EmbeddedPostgres | undefined;
  const url = settings.databaseUrl ?? (embedded = await startEmbeddedPostgres(settings.dataDir)).url;
  const dataSource = new DataSource({
    type: 'postgres',
    url,
    entities,
    migrations: MIGRATIONS,
    migrationsTransactionMode: 'each',
    namingStrategy: new SnakeNamingStrategy(),
    synchronize: false,
    // The embedded server runs one query at a time; one connection keeps transactions intact.
    extra: { max: embedded ? 1 : settings.poolSize, connectionTimeoutMillis: 5_000 },
  });
  try {
    await dataSource.initialize();
    await migrate(dataSource, !embedded);
  } catch (error) {
    if (dataSource.isInitialized) await dataSource.destroy();
    await embedded?.stop();
    throw error;
  }
  return {
    dataSource,
    embedded: Boolean(embedded),
    async close() {
      if (dataSource.isInitialized) await dataSource.destroy();
      await embedded?.stop();
    },
  };
}

/** Several instances may start at once against one database: an advisory lock lets one migrate. */
async function migrate(dataSource: DataSource, takeLock: boolean): Promise<void> {
  if (!takeLock) {
    await dataSource.runMigrations();
    return;
  }
  const lock = dataSource.createQueryRunner();
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await dataSource.runMigrations();
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lock.release();
  }
}

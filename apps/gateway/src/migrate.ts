import { ConfigError } from '@app/common';
import { openDatabase, persistenceConfig } from '@app/persistence';

/** `npm run migrate`: applies pending migrations to DATABASE_URL (or the embedded database) and exits. */
async function migrate(): Promise<void> {
  const database = await openDatabase(persistenceConfig(), []);
  const applied = await database.dataSource.query<Array<{ name: string }>>('SELECT name FROM migrations ORDER BY id');
  process.stdout.write(`Schema is current (${applied.length} migrations applied).\n`);
  await database.close();
}

migrate().catch((error: unknown) => {
  const message = error instanceof ConfigError || error instanceof Error ? error.message : String(error);
  process.stderr.write(`Migration failed: ${message}\n`);
  process.exit(1);
});

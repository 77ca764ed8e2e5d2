export { PersistenceModule } from './persistence.module';
export { persistenceConfig, PersistenceSettings } from './persistence.config';
export { openDatabase, Database } from './database';
export { DatabaseAvailability } from './outage/database-availability';
export { isDatabaseUnreachable, DatabaseUnavailableError } from './outage/database-errors';
export { SpillDirectory } from './outage/spill-directory';
export { SpillFile } from './outage/spill-file';

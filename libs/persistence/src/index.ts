export { PersistenceModule } from './persistence.module';
export { persistenceConfig, PersistenceSettings } from './persistence.config';
export { openDatabase, Database } from './database';

import { DynamicModule, Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { ConfigModule, ConfigType } from '@nestjs/config';
import { DataSource } from 'typeorm';
import { Database, EntityList, openDatabase } from './database';
import { DatabaseAvailability } from './outage/database-availability';
import { SpillDirectory } from './outage/spill-directory';
import { persistenceConfig } from './persistence.config';

const DATABASE = Symbol('DATABASE');

@Injectable()
class DatabaseLifecycle implements OnApplicationShutdown {
  constructor(@Inject(DATABASE) private readonly database: Database) {}

  async onApplicationShutdown(): Promise<void> {
    await this.database.close();
  }
}

/**
 * Provides the TypeORM `DataSource` (migrated, ready) to every module, with the signal of whether the
 * database is reachable and the spill directory for rows that wait for it.
 */
@Global()
@Module({})
export class PersistenceModule {
  static forRoot(entities: EntityList): DynamicModule {
    return {
      module: PersistenceModule,
      imports: [ConfigModule.forFeature(persistenceConfig)],
      providers: [
        {
          provide: DATABASE,
          inject: [persistenceConfig.KEY],
          useFactory: (settings: ConfigType<typeof persistenceConfig>) => openDatabase(settings, entities),
        },
        { provide: DataSource, inject: [DATABASE], useFactory: (database: Database) => database.dataSource },
        DatabaseLifecycle,
        DatabaseAvailability,
        SpillDirectory,
      ],
      exports: [DataSource, DatabaseAvailability, SpillDirectory],
    };
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { persistenceConfig, PersistenceSettings } from '../persistence.config';
import { SpillFile, SpillQuota } from './spill-file';

/**
 * Where rows that wait for the database go once memory is full (`DATABASE_SPILL_DIR`, by default
 * `<SWITCHYARD_DATA_DIR>/spill`), one subdirectory per database: rows are only ever replayed into the
 * database they were meant for, even when several gateways (or test runs) share a data directory. Every
 * kind of row shares the directory's size limit (`DATABASE_SPILL_MAX_MB`).
 */
@Injectable()
export class SpillDirectory {
  readonly path: string;
  private readonly quota: SpillQuota;

  constructor(@Inject(persistenceConfig.KEY) settings: ConfigType<typeof persistenceConfig>) {
    this.path = join(resolve(settings.spillDir), databaseTag(settings));
    this.quota = { usedBytes: 0, maxBytes: settings.spillMaxBytes };
  }

  /**
   * The spill file of one kind of row; made once per kind, at start, which adopts what an earlier run left.
   * The directory itself is only made when something is first spilled.
   */
  open<T>(kind: string): SpillFile<T> {
    return new SpillFile<T>(this.path, kind, this.quota);
  }
}

/** Names the database (host, port, name; never the credentials) without putting any of it in a path. */
function databaseTag(settings: PersistenceSettings): string {
  if (!settings.databaseUrl) return 'embedded';
  const url = new URL(settings.databaseUrl);
  const identity = `${url.hostname}:${url.port || '5432'}${url.pathname}`;
  return createHash('sha256').update(identity).digest('hex').slice(0, 16);
}

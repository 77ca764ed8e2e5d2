import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { DataSource } from 'typeorm';
import { auditConfig } from '../audit.config';

const DAY_MS = 86_400_000;
// Any constant works; it only has to be the same for every instance changing the partitions.
const PARTITIONS_LOCK_KEY = 7_305_142_021;
const PARTITION_NAME = /^request_records_p(\d{4})(\d{2})(\d{2})$/;

/**
 * The daily partitions of `request_records` (UTC days): created ahead of need, dropped whole once older than
 * the retention period, which deletes old evidence without touching a single row of the recent one.
 */
@Injectable()
export class RequestRecordPartitions {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(auditConfig.KEY) private readonly settings: ConfigType<typeof auditConfig>,
  ) {}

  /** Makes sure the partitions holding these instants exist. */
  async ensureFor(instants: readonly Date[]): Promise<void> {
    const days = [...new Set(instants.map((instant) => startOfUtcDay(instant).getTime()))].map((ms) => new Date(ms));
    await this.locked(async (run) => {
      for (const day of days) {
        const next = new Date(day.getTime() + DAY_MS);
        await run(
          `CREATE TABLE IF NOT EXISTS ${partitionName(day)} PARTITION OF request_records
           FOR VALUES FROM ('${day.toISOString()}') TO ('${next.toISOString()}')`,
        );
      }
    });
  }

  /** Creates the partitions from yesterday to `daysAhead` days from now. */
  async ensureAround(now: Date, daysAhead: number): Promise<void> {
    const today = startOfUtcDay(now).getTime();
    await this.ensureFor(Array.from({ length: daysAhead + 2 }, (_, i) => new Date(today + (i - 1) * DAY_MS)));
  }

  /** Drops every partition whose whole day is older than the retention period; returns their names. */
  async dropExpired(now: Date): Promise<string[]> {
    const cutoff = startOfUtcDay(now).getTime() - this.settings.retentionDays * DAY_MS;
    const expired = (await this.list())
      .filter((partition) => partition.day.getTime() < cutoff)
      .map((partition) => partition.name);
    if (expired.length === 0) return [];
    await this.locked(async (run) => {
      for (const name of expired) await run(`DROP TABLE IF EXISTS ${name}`);
    });
    return expired;
  }

  async list(): Promise<Array<{ name: string; day: Date }>> {
    const rows: Array<{ name: string }> = await this.dataSource.query(
      `SELECT child.relname AS name FROM pg_inherits
       JOIN pg_class child ON child.oid = pg_inherits.inhrelid
       JOIN pg_class parent ON parent.oid = pg_inherits.inhparent
       WHERE parent.relname = 'request_records' ORDER BY 1`,
    );
    return rows.flatMap(({ name }) => {
      const match = PARTITION_NAME.exec(name);
      return match ? [{ name, day: new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) }] : [];
    });
  }

  /** Several instances maintain the same table; an advisory lock keeps their DDL from colliding. */
  private async locked(work: (run: (sql: string) => Promise<unknown>) => Promise<void>): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [PARTITIONS_LOCK_KEY]);
      await work((sql) => manager.query(sql));
    });
  }
}

function partitionName(day: Date): string {
  return `request_records_p${day.toISOString().slice(0, 10).replace(/-/g, '')}`;
}

function startOfUtcDay(instant: Date): Date {
  return new Date(Date.UTC(instant.getUTCFullYear(), instant.getUTCMonth(), instant.getUTCDate()));
}

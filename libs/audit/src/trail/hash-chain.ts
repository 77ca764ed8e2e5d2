import { DataSource, EntityManager } from 'typeorm';
import { GENESIS_HASH } from './audit-event';

/** What every chained event has: a consecutive id, a time, and its link to the event before it. */
export interface ChainLink {
  id: number;
  occurred_at: string;
  prev_hash: string;
  hash: string;
}

/** The fields an appender gives; the chain adds the id, the time and the hashes. */
export type ChainFields<E extends ChainLink> = Omit<E, keyof ChainLink>;

export interface ChainVerification {
  ok: boolean;
  count: number;
  /** The first event whose id, link or hash does not fit the chain. */
  first_bad_id: number | null;
}

/** A hash-chained, append-only table: its name, its advisory lock, its own columns and how an event is hashed. */
export interface ChainTable<E extends ChainLink> {
  table: string;
  /** Any constant; it only has to be the same for every instance appending to this table. */
  lockKey: number;
  /** The event's own columns, between `occurred_at` and `prev_hash`, and whether each holds JSON. */
  columns: ReadonlyArray<readonly [keyof ChainFields<E> & string, 'text' | 'jsonb']>;
  hash(event: Omit<E, 'hash'>): string;
}

const VERIFY_BATCH_ROWS = 1_000;

/**
 * The mechanics shared by the admin audit trail and the access log: appends under a transaction-scoped
 * advisory lock, so several instances keep one linear chain with consecutive ids; newest-first listing with
 * equality filters; and verification, which recomputes every link and hash.
 */
export class HashChain<E extends ChainLink> {
  private readonly columnList: string;
  private readonly placeholders: string;

  constructor(
    private readonly dataSource: DataSource,
    private readonly spec: ChainTable<E>,
  ) {
    const names = ['id', 'occurred_at', ...spec.columns.map(([name]) => name), 'prev_hash', 'hash'];
    const types = ['', '', ...spec.columns.map(([, type]) => (type === 'jsonb' ? '::jsonb' : '')), '', ''];
    this.columnList = names.join(', ');
    this.placeholders = types.map((cast, i) => `$${i + 1}${cast}`).join(', ');
  }

  /**
   * Appends an event within the caller's transaction. The advisory lock, held until that transaction ends,
   * serialises appends across instances, so each event links to the one committed before it.
   */
  async append(manager: EntityManager, occurredAt: Date, fields: ChainFields<E>): Promise<E> {
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error(`Events of ${this.spec.table} must be appended inside a transaction.`);
    }
    await manager.query('SELECT pg_advisory_xact_lock($1)', [this.spec.lockKey]);
    const [previous]: Array<{ id: string; hash: string }> = await manager.query(
      `SELECT id, hash FROM ${this.spec.table} ORDER BY id DESC LIMIT 1`,
    );
    const unsigned = {
      ...fields,
      id: previous ? Number(previous.id) + 1 : 1,
      occurred_at: occurredAt.toISOString(),
      prev_hash: previous?.hash ?? GENESIS_HASH,
    } as Omit<E, 'hash'>;
    const event = { ...unsigned, hash: this.spec.hash(unsigned) } as E;
    const record = event as unknown as Record<string, unknown>;
    await manager.query(`INSERT INTO ${this.spec.table} (${this.columnList}) VALUES (${this.placeholders})`, [
      event.id,
      event.occurred_at,
      ...this.spec.columns.map(([name, type]) => (type === 'jsonb' ? jsonOrNull(record[name]) : record[name])),
      event.prev_hash,
      event.hash,
    ]);
    return event;
  }

  /** Newest first; `cursor` is the id of the last event of the previous page; unset filters match anything. */
  async list(
    filter: Partial<Record<keyof ChainFields<E> & string, string>>,
    limit: number,
    cursor?: number,
  ): Promise<{ data: E[]; nextCursor: number | null }> {
    const params: unknown[] = [];
    const where: string[] = [];
    for (const [name] of this.spec.columns) {
      const value = filter[name];
      if (value) where.push(`${name} = $${params.push(value)}`);
    }
    if (cursor !== undefined) where.push(`id < $${params.push(cursor)}`);
    const rows = await this.dataSource.query<Row[]>(
      `SELECT ${this.columnList} FROM ${this.spec.table} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY id DESC LIMIT $${params.push(limit)}`,
      params,
    );
    const data = rows.map((row) => this.fromRow(row));
    return { data, nextCursor: data.length === limit ? data[data.length - 1].id : null };
  }

  /** Walks the whole chain, a batch at a time, recomputing every link and hash. */
  async verify(): Promise<ChainVerification> {
    let count = 0;
    let firstBadId: number | null = null;
    let expected = { id: 1, prevHash: GENESIS_HASH };
    for (let after = 0; ;) {
      const rows = await this.dataSource.query<Row[]>(
        `SELECT ${this.columnList} FROM ${this.spec.table} WHERE id > $1 ORDER BY id LIMIT $2`,
        [after, VERIFY_BATCH_ROWS],
      );
      for (const { hash, ...event } of rows.map((row) => this.fromRow(row))) {
        count++;
        const intact =
          event.id === expected.id && event.prev_hash === expected.prevHash && this.spec.hash(event) === hash;
        if (!intact && firstBadId === null) firstBadId = event.id;
        // Carry on from the event as stored, so one bad event is reported once, not as a broken tail.
        expected = { id: event.id + 1, prevHash: hash };
        after = event.id;
      }
      if (rows.length < VERIFY_BATCH_ROWS) break;
    }
    return { ok: firstBadId === null, count, first_bad_id: firstBadId };
  }

  /** bigserial arrives as a string and timestamptz as a Date. */
  private fromRow(row: Row): E {
    return { ...row, id: Number(row.id), occurred_at: (row.occurred_at as Date).toISOString() } as unknown as E;
  }
}

type Row = Record<string, unknown>;

function jsonOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

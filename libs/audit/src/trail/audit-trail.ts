import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '@app/common';
import { AuditChange, AuditEvent, eventHash, GENESIS_HASH } from './audit-event';

// Any constant works; it only has to be the same for every instance appending to the trail.
const CHAIN_LOCK_KEY = 7_305_142_020;
const VERIFY_BATCH_ROWS = 1_000;

/** A transaction whose changes are recorded in the audit trail as part of it. */
export interface AuditedTransaction {
  manager: EntityManager;
  record(change: AuditChange): Promise<AuditEvent>;
}

export interface AuditEventFilter {
  actor?: string;
  action?: string;
  targetType?: string;
  targetId?: string;
}

export interface ChainVerification {
  ok: boolean;
  count: number;
  /** The first event whose id, link or hash does not fit the chain. */
  first_bad_id: number | null;
}

const COLUMNS = 'id, occurred_at, actor, action, target_type, target_id, before, after, prev_hash, hash';

/**
 * The admin audit trail: an append-only table (a trigger refuses UPDATE, DELETE and TRUNCATE) whose events
 * form a SHA-256 hash chain with consecutive ids, so an edited, removed or inserted event shows in `verify`.
 * Events are appended inside the transaction of the change they record: both commit or neither does.
 */
@Injectable()
export class AuditTrail {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  /** Runs `work` in one transaction; what it records joins the trail only if the whole transaction commits. */
  transact<T>(actor: string, work: (tx: AuditedTransaction) => Promise<T>): Promise<T> {
    return this.dataSource.transaction((manager) =>
      work({ manager, record: (change) => this.append(manager, actor, change) }),
    );
  }

  /**
   * Appends an event within the caller's transaction. The advisory lock, held until that transaction ends,
   * serialises appends across instances, so each event links to the one committed before it.
   */
  async append(manager: EntityManager, actor: string, change: AuditChange): Promise<AuditEvent> {
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error('Audit events must be appended inside the transaction of the change they record.');
    }
    await manager.query('SELECT pg_advisory_xact_lock($1)', [CHAIN_LOCK_KEY]);
    const [previous]: Array<{ id: string; hash: string }> = await manager.query(
      'SELECT id, hash FROM audit_events ORDER BY id DESC LIMIT 1',
    );
    const unsigned = {
      id: previous ? Number(previous.id) + 1 : 1,
      occurred_at: this.clock.now().toISOString(),
      actor,
      action: change.action,
      target_type: change.target.type,
      target_id: change.target.id,
      before: change.before ?? null,
      after: change.after ?? null,
      prev_hash: previous?.hash ?? GENESIS_HASH,
    };
    const event: AuditEvent = { ...unsigned, hash: eventHash(unsigned) };
    await manager.query(
      `INSERT INTO audit_events (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9, $10)`,
      [
        event.id,
        event.occurred_at,
        event.actor,
        event.action,
        event.target_type,
        event.target_id,
        jsonOrNull(event.before),
        jsonOrNull(event.after),
        event.prev_hash,
        event.hash,
      ],
    );
    return event;
  }

  /** Newest first; `cursor` is the id of the last event of the previous page. */
  async list(
    filter: AuditEventFilter,
    limit: number,
    cursor?: number,
  ): Promise<{ data: AuditEvent[]; nextCursor: number | null }> {
    const params: unknown[] = [];
    const where: string[] = [];
    const equal = (column: string, value: unknown) => where.push(`${column} = $${params.push(value)}`);
    if (filter.actor) equal('actor', filter.actor);
    if (filter.action) equal('action', filter.action);
    if (filter.targetType) equal('target_type', filter.targetType);
    if (filter.targetId) equal('target_id', filter.targetId);
    if (cursor !== undefined) where.push(`id < $${params.push(cursor)}`);
    const rows = await this.dataSource.query<EventRow[]>(
      `SELECT ${COLUMNS} FROM audit_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${params.push(limit)}`,
      params,
    );
    const data = rows.map(fromRow);
    return { data, nextCursor: data.length === limit ? data[data.length - 1].id : null };
  }

  /** Walks the whole chain, a batch at a time, recomputing every link and hash. */
  async verify(): Promise<ChainVerification> {
    let count = 0;
    let firstBadId: number | null = null;
    let expected = { id: 1, prevHash: GENESIS_HASH };
    for (let after = 0; ;) {
      const rows = await this.dataSource.query<EventRow[]>(
        `SELECT ${COLUMNS} FROM audit_events WHERE id > $1 ORDER BY id LIMIT $2`,
        [after, VERIFY_BATCH_ROWS],
      );
      for (const event of rows.map(fromRow)) {
        count++;
        const intact =
          event.id === expected.id && event.prev_hash === expected.prevHash && eventHash(event) === event.hash;
        if (!intact && firstBadId === null) firstBadId = event.id;
        // Carry on from the event as stored, so one bad event is reported once, not as a broken tail.
        expected = { id: event.id + 1, prevHash: event.hash };
        after = event.id;
      }
      if (rows.length < VERIFY_BATCH_ROWS) break;
    }
    return { ok: firstBadId === null, count, first_bad_id: firstBadId };
  }
}

function jsonOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

/** An event as the driver returns it: bigserial as a string, timestamptz as a Date. */
type EventRow = Omit<AuditEvent, 'id' | 'occurred_at'> & { id: string; occurred_at: Date };

function fromRow(row: EventRow): AuditEvent {
  return { ...row, id: Number(row.id), occurred_at: row.occurred_at.toISOString() };
}

import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '@app/common';
import { AuditActor, AuditChange, AuditEvent, eventHash } from './audit-event';
import { ChainVerification, HashChain } from './hash-chain';

/** A transaction whose changes are recorded in the audit trail as part of it. */
export interface AuditedTransaction {
  manager: EntityManager;
  record(change: AuditChange): Promise<AuditEvent>;
  /**
   * Runs `step` once the transaction has committed, never if it rolls back: for what lives outside the
   * database (an in-memory cache) and must not show a change the database may yet refuse.
   */
  afterCommit(step: () => void): void;
}

export interface AuditEventFilter {
  actor?: string;
  action?: string;
  targetType?: string;
  targetId?: string;
}

/**
 * The admin audit trail: an append-only table (a trigger refuses UPDATE, DELETE and TRUNCATE) whose events
 * form a SHA-256 hash chain with consecutive ids, so an edited, removed or inserted event shows in `verify`.
 * Events are appended inside the transaction of the change they record: both commit or neither does.
 */
@Injectable()
export class AuditTrail {
  private readonly chain: HashChain<AuditEvent>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {
    this.chain = new HashChain<AuditEvent>(dataSource, {
      table: 'audit_events',
      lockKey: 7_305_142_020,
      columns: [
        ['actor', 'text'],
        ['actor_role', 'text'],
        ['action', 'text'],
        ['target_type', 'text'],
        ['target_id', 'text'],
        ['before', 'jsonb'],
        ['after', 'jsonb'],
      ],
      hash: eventHash,
    });
  }

  /**
   * Runs `work` in one transaction; what it records joins the trail only if the whole transaction commits.
   * The actor is an admin (id and role) or, for changes nobody asked for through the API, a `system:` id.
   * The `afterCommit` steps run, in order, after the commit and before the returned promise resolves.
   */
  async transact<T>(actor: AuditActor | string, work: (tx: AuditedTransaction) => Promise<T>): Promise<T> {
    const committed: Array<() => void> = [];
    const result = await this.dataSource.transaction((manager) =>
      work({
        manager,
        record: (change) => this.append(manager, actor, change),
        afterCommit: (step) => committed.push(step),
      }),
    );
    for (const step of committed) step();
    return result;
  }

  /** Appends an event within the caller's transaction, which must be under way. */
  append(manager: EntityManager, actor: AuditActor | string, change: AuditChange): Promise<AuditEvent> {
    const { id, role } = typeof actor === 'string' ? { id: actor, role: null } : actor;
    return this.chain.append(manager, this.clock.now(), {
      actor: id,
      actor_role: role ?? null,
      action: change.action,
      target_type: change.target.type,
      target_id: change.target.id,
      before: change.before ?? null,
      after: change.after ?? null,
    });
  }

  /** Newest first; `cursor` is the id of the last event of the previous page. */
  list(
    filter: AuditEventFilter,
    limit: number,
    cursor?: number,
  ): Promise<{ data: AuditEvent[]; nextCursor: number | null }> {
    const { actor, action, targetType: target_type, targetId: target_id } = filter;
    return this.chain.list({ actor, action, target_type, target_id }, limit, cursor);
  }

  /** Walks the whole chain, a batch at a time, recomputing every link and hash. */
  verify(): Promise<ChainVerification> {
    return this.chain.verify();
  }
}

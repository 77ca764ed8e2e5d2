import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock, scrubSecrets, truncate } from '@app/common';
import { DatabaseAvailability, DatabaseUnavailableError } from '@app/persistence';
import { AuditActor, sha256 } from './audit-event';
import { canonicalJson } from './canonical-json';
import { ChainVerification, HashChain } from './hash-chain';

/** One call of the admin API, as the access log is told it before the call is served or refused. */
export interface AccessCall {
  actor: Required<AuditActor>;
  requestId: string;
  method: string;
  /** The route's pattern, e.g. `/admin/requests/:request_id`. */
  route: string;
  params: Readonly<Record<string, unknown>>;
  query: Readonly<Record<string, unknown>>;
  refused: boolean;
}

/** A stored access event: who called which route with what, whether it was refused, chained like the trail. */
export interface AccessEvent {
  id: number;
  occurred_at: string;
  actor: string;
  actor_role: string | null;
  outcome: 'allowed' | 'refused';
  request_id: string;
  method: string;
  route: string;
  /** Path parameters and query string, bounded and scrubbed; null when there were none. */
  params: Record<string, string> | null;
  query: Record<string, string> | null;
  prev_hash: string;
  hash: string;
}

export interface AccessEventFilter {
  actor?: string;
  outcome?: string;
  route?: string;
}

// A query string is the caller's text: bounded, so that a long one cannot bloat the log.
const MAX_FIELDS = 32;
const MAX_NAME = 64;
const MAX_VALUE = 256;

/**
 * The admin access log: one event per admin API call — reads, writes and calls refused for the caller's
 * role alike — appended before the call is served, on its own short transaction (a read changes nothing to
 * join). A hash chain like the audit trail's, in a table of its own: what was changed stays a short,
 * readable trail, and reading either never changes what verifying it answers. A request-records export is
 * one call, so one event, however many rows it streams.
 */
@Injectable()
export class AccessLog {
  private readonly chain: HashChain<AccessEvent>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly database: DatabaseAvailability,
    private readonly clock: Clock,
  ) {
    this.chain = new HashChain<AccessEvent>(dataSource, {
      table: 'admin_access_events',
      lockKey: 7_305_142_021,
      columns: [
        ['actor', 'text'],
        ['actor_role', 'text'],
        ['outcome', 'text'],
        ['request_id', 'text'],
        ['method', 'text'],
        ['route', 'text'],
        ['params', 'jsonb'],
        ['query', 'jsonb'],
      ],
      hash: (event) => sha256(canonicalJson(event)),
    });
  }

  /** Appends the call; it fails (503 while the database is unreachable) rather than let a call go unrecorded. */
  async record(call: AccessCall): Promise<AccessEvent> {
    if (!this.database.reachable) throw new DatabaseUnavailableError('This admin call cannot be recorded');
    const fields = {
      actor: call.actor.id,
      actor_role: call.actor.role,
      outcome: call.refused ? ('refused' as const) : ('allowed' as const),
      request_id: bounded(call.requestId, MAX_VALUE),
      method: call.method,
      route: bounded(call.route, MAX_VALUE),
      params: boundedFields(call.params),
      query: boundedFields(call.query),
    };
    try {
      return await this.database.answerWithin(
        this.dataSource.transaction((manager) => this.chain.append(manager, this.clock.now(), fields)),
      );
    } catch (error) {
      this.database.noteFailure(error);
      throw error;
    }
  }

  /** Newest first; `cursor` is the id of the last event of the previous page. */
  list(filter: AccessEventFilter, limit: number, cursor?: number) {
    return this.chain.list(filter, limit, cursor);
  }

  verify(): Promise<ChainVerification> {
    return this.chain.verify();
  }
}

function boundedFields(fields: Readonly<Record<string, unknown>>): Record<string, string> | null {
  const entries = Object.entries(fields)
    .slice(0, MAX_FIELDS)
    .map(([name, value]): [string, string] => [
      bounded(name, MAX_NAME),
      bounded(Array.isArray(value) ? value.join(',') : String(value), MAX_VALUE),
    ]);
  return entries.length > 0 ? Object.fromEntries(entries) : null;
}

function bounded(text: string, max: number): string {
  return truncate(scrubSecrets(text.replace(/\0/g, '')), max);
}

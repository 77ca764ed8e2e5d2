import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';

/** One admin change, as the code making it describes it. `before`/`after` are views: never secrets. */
export interface AuditChange {
  /** `team.create`, `key.rotate`, `budget.set`, `config.reload`, … */
  action: string;
  target: { type: string; id: string | null };
  before?: unknown;
  after?: unknown;
}

/** Who made a change: an admin token (with its role), `env:SWITCHYARD_ADMIN_KEY`, or `system:<what>`. */
export interface AuditActor {
  id: string;
  /** The admin's role; null for the system, and for events recorded before roles existed. */
  role?: string | null;
}

/** A stored event: the change, who made it and when, chained to the event before it. */
export interface AuditEvent {
  id: number;
  occurred_at: string;
  /** The admin token id (or `env:SWITCHYARD_ADMIN_KEY`, or `system:<what>` for changes nobody asked for). */
  actor: string;
  actor_role: string | null;
  action: string;
  target_type: string;
  target_id: string | null;
  before: unknown;
  after: unknown;
  prev_hash: string;
  hash: string;
}

/** The `prev_hash` of the first event. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * SHA-256 over the canonical JSON of every field but the hash itself, `prev_hash` included: the chain. The
 * actor's role is signed when there is one; events without one (the system's, and every event written before
 * roles existed) hash exactly as they always did, so an existing chain still verifies.
 */
export function eventHash(event: Omit<AuditEvent, 'hash'>): string {
  const { id, occurred_at, actor, actor_role, action, target_type, target_id, before, after, prev_hash } = event;
  const signed = { id, occurred_at, actor, action, target_type, target_id, before, after, prev_hash };
  return sha256(canonicalJson(actor_role === null ? signed : { ...signed, actor_role }));
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

import type { EntityManager } from 'typeorm';

/**
 * The transaction a mutating method that also changes this instance's cached key lookups runs in: its
 * manager, and a way to defer the cache change until the transaction has committed, so that a rollback
 * leaves the cache agreeing with the database. The app passes the audit trail's transaction
 * (`AuditedTransaction` has this shape; auth may not import audit).
 */
export interface AuthTransaction {
  manager: EntityManager;
  afterCommit(step: () => void): void;
}

/** Outside a transaction every statement commits as it runs, so a step may run at once. */
export function autoCommit(manager: EntityManager): AuthTransaction {
  return { manager, afterCommit: (step) => step() };
}

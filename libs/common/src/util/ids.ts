import { randomBytes, randomUUID } from 'node:crypto';
import { hasSecretShape } from './secrets';

const SANE_REQUEST_ID = /^[A-Za-z0-9._:@-]{1,128}$/;

/**
 * Accepts a caller's `x-request-id` when it is short, printable and not shaped like a key, otherwise makes a
 * new one. The id is kept in logs, evidence records and the ledger, and echoed back: a key pasted as an id
 * must not be.
 */
export function requestIdFrom(header: string | string[] | undefined): string {
  if (typeof header === 'string' && SANE_REQUEST_ID.test(header) && !hasSecretShape(header)) return header;
  return `req_${randomUUID().replace(/-/g, '')}`;
}

export function newId(prefix: string): string {
  return `${prefix}${randomBytes(12).toString('hex')}`;
}

import { GatewayError } from '@app/common';

/** What a client is told to wait before retrying while the database is unreachable. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/** Socket-level failures: the database host refused, reset, timed out or could not be resolved. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/**
 * SQLSTATEs of a server that cannot take work: class 08 (connection exception), 57P01–57P03 (shutting down,
 * crashed, not yet accepting connections), 53300 (too many connections).
 */
const UNAVAILABLE_SQLSTATE = /^(?:08...|57P0[1-3]|53300)$/;
/** What `pg` and `pg-pool` say when a connection dies or cannot be had; they set no code for these. */
const CONNECTION_LOST =
  /Connection terminated|timeout exceeded when trying to connect|not queryable|Connection is closed|connection timeout/i;

/**
 * True when `error` says the database could not be reached or cannot take work, as opposed to refusing a
 * statement: `pg` and `pg-pool` errors as they come, TypeORM's `QueryFailedError` around them (`driverError`),
 * and anything that names one as its `cause`.
 */
export function isDatabaseUnreachable(error: unknown): boolean {
  for (let depth = 0; error instanceof Error && depth < 4; depth++) {
    if (error instanceof DatabaseUnavailableError) return true;
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code))) return true;
    if (CONNECTION_LOST.test(error.message)) return true;
    if (error instanceof AggregateError && error.errors.some(isDatabaseUnreachable)) return true;
    error = (error as { driverError?: unknown }).driverError ?? error.cause;
  }
  return false;
}

/**
 * The answer to a request that needs the database while it is unreachable: 503 `service_unavailable` with
 * `retry-after`, never a 500. An expected condition, logged once as a state change rather than per request.
 */
export class DatabaseUnavailableError extends GatewayError {
  /** `what` names what could not be done, e.g. "This key cannot be verified". */
  constructor(what: string, cause?: unknown) {
    super(
      'service_unavailable',
      `${what} while the gateway's database is unreachable; retry in ${DATABASE_RETRY_AFTER_SECONDS}s.`,
      { retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS, cause },
    );
  }
}

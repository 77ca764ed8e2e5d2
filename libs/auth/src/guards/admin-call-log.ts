import type { AdminPrincipal } from '@app/common';

/** One call of the admin API by an authenticated admin, as the key guard saw it before deciding. */
export interface AdminCall {
  admin: AdminPrincipal;
  requestId: string;
  method: string;
  /** The route's pattern, e.g. `/admin/keys/:id/rotate`. */
  route: string;
  params: Readonly<Record<string, unknown>>;
  query: Readonly<Record<string, unknown>>;
  /** The guard refused the call for the admin's role (it answers 403). */
  refused: boolean;
}

/**
 * Where the key guard records every admin call — read, write or refused — before the handler runs: a call
 * that cannot be recorded is not made. The app provides it (auth may not depend on the audit lib).
 */
export abstract class AdminCallLog {
  abstract record(call: AdminCall): Promise<void>;
}

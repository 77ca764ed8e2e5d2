import { applyDecorators, SetMetadata } from '@nestjs/common';

/** Who may call a route. Every route is `gateway` unless it says otherwise. */
export type RouteAccess = 'public' | 'gateway' | 'admin';

export const ROUTE_ACCESS = 'switchyard:route-access';

/** No key needed (health, metrics). A test lists every route that is public. */
export const Public = () => SetMetadata(ROUTE_ACCESS, 'public' satisfies RouteAccess);

/** Only admin tokens; gateway keys get 403. Each handler also states its `@AdminAccess` rule. */
export const AdminOnly = () => SetMetadata(ROUTE_ACCESS, 'admin' satisfies RouteAccess);

/**
 * What an admin route does with its objects. `reach` says whose they are: `team` routes serve team admins
 * too, and their service limits them to their own teams; `global` routes are about no one team (teams
 * themselves, the configuration, the audit trail, the instance's counters) and serve owners, plus auditors
 * when they only read.
 */
export interface AdminAccessRule {
  operation: 'read' | 'write';
  reach: 'team' | 'global';
}

export const ADMIN_ACCESS = 'switchyard:admin-access';

/**
 * Declares an admin handler's access rule, which the key guard enforces for every role before the handler
 * runs. Every admin handler must have one: the guard refuses to run a handler without it.
 */
export const AdminAccess = (operation: AdminAccessRule['operation'], reach: AdminAccessRule['reach'] = 'team') =>
  applyDecorators(
    SetMetadata(ROUTE_ACCESS, 'admin' satisfies RouteAccess),
    SetMetadata(ADMIN_ACCESS, { operation, reach } satisfies AdminAccessRule),
  );

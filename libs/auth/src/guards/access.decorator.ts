import { SetMetadata } from '@nestjs/common';

/** Who may call a route. Every route is `gateway` unless it says otherwise. */
export type RouteAccess = 'public' | 'gateway' | 'admin';

export const ROUTE_ACCESS = 'switchyard:route-access';

/** No key needed (health, metrics). A test lists every route that is public. */
export const Public = () => SetMetadata(ROUTE_ACCESS, 'public' satisfies RouteAccess);

/** Only the admin key; gateway keys get 403. */
export const AdminOnly = () => SetMetadata(ROUTE_ACCESS, 'admin' satisfies RouteAccess);

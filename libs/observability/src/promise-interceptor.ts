import type { ExecutionContext, NestInterceptor } from '@nestjs/common';

/**
 * A Nest interceptor whose work is synchronous before and after the handler (set something up, then react to
 * its end or its error), offered twice: as Nest's `intercept` (Observables, for the routes Nest runs) and as
 * `around`, the same work around a promise. The `/v1` pipeline calls `around` when every global interceptor
 * has it, which spares each request an Observable chain per interceptor and the `lastValueFrom` that
 * consumes it (about 2 KB of allocation per request); with one interceptor without it, it runs them all as
 * Nest does. Both forms must do the same thing.
 */
export interface PromiseInterceptor extends NestInterceptor {
  around<T>(context: ExecutionContext, handle: () => Promise<T>): Promise<T>;
}

export function isPromiseInterceptor(interceptor: NestInterceptor): interceptor is PromiseInterceptor {
  return typeof (interceptor as Partial<PromiseInterceptor>).around === 'function';
}

import { CanActivate, ExceptionFilter, ForbiddenException, Injectable, NestInterceptor } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { defer, from, isObservable, lastValueFrom, mergeAll, Observable } from 'rxjs';
import { requestContext } from '@app/common';
import { gatewayCall } from './gateway-call';
import { GlobalEnhancers } from './global-enhancers';
import { HttpExecutionContext } from './http-execution-context';
import { RequestLifecycle } from './request-lifecycle';
import type { V1Api, V1Route } from './v1-api';

type FastifyHandler = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/**
 * The data plane: every model call enters here. The `/v1` routes are mounted on Fastify directly and run
 * through the same global guards, interceptors and exception filter as the Nest routes, in Nest's order
 * (see GlobalEnhancers), but without Nest's generic per-request machinery (parameter resolution, an async
 * resource and an Observable consumer per interceptor, the router proxy), which cost about a fifth of a
 * request's CPU. A request's story, top to bottom:
 *
 *   open (request id, evidence and log on close)  → guards (key, rate limits)  → interceptors (handler
 *   completion, redaction)  → the API: parse → plan, reserve, route, settle (ModelCallService) → write
 *   → on any failure, the exception filter answers in the API's own error shape.
 */
@Injectable()
export class V1Pipeline {
  constructor(
    private readonly enhancers: GlobalEnhancers,
    private readonly lifecycle: RequestLifecycle,
    private readonly modules: ModuleRef,
  ) {}

  /** Attaches the request lifecycle and the route table (`V1_ROUTES`); call before the app adds its own routes. */
  mount(fastify: FastifyInstance, routes: readonly V1Route[]): void {
    const guards = this.enhancers.guards();
    const interceptors = this.enhancers.interceptors();
    const [filter, ...others] = this.enhancers.filters();
    if (guards.length === 0 || !filter || others.length > 0) {
      throw new Error(
        `The /v1 pipeline needs the global guards and one global exception filter (found ${guards.length} guards, ${others.length + (filter ? 1 : 0)} filters).`,
      );
    }
    this.lifecycle.attach(fastify);
    for (const route of routes) {
      const api = this.modules.get(route.api, { strict: false });
      fastify.route({
        method: route.method,
        url: route.url,
        handler: this.pipeline(route, api, { guards, interceptors, filter }),
      });
    }
  }

  private pipeline(route: V1Route, api: V1Api, chain: EnhancerChain): FastifyHandler {
    const handle = (request: FastifyRequest, reply: FastifyReply) =>
      api.handle(request, reply, gatewayCall(request, reply));
    return async (request, reply) => {
      requestContext(request.raw).api = route.name;
      const context = new HttpExecutionContext(request, reply, route.api, handle);
      try {
        for (const guard of chain.guards) {
          // As Nest's router does: a guard that says no without throwing means 403.
          if ((await guard.canActivate(context)) !== true) throw new ForbiddenException();
        }
        await lastValueFrom(
          intercepted(chain.interceptors, context, 0, () => handle(request, reply)),
          { defaultValue: undefined },
        );
      } catch (error) {
        chain.filter.catch(error, context);
      }
    };
  }
}

interface EnhancerChain {
  guards: readonly CanActivate[];
  interceptors: readonly NestInterceptor[];
  filter: ExceptionFilter;
}

/** The handler wrapped in the interceptors from `index` inwards, as Nest nests them. */
function intercepted(
  interceptors: readonly NestInterceptor[],
  context: HttpExecutionContext,
  index: number,
  run: () => Promise<void>,
): Observable<unknown> {
  if (index === interceptors.length) return defer(run);
  const result = interceptors[index].intercept(context, {
    handle: () => intercepted(interceptors, context, index + 1, run),
  });
  return isObservable(result) ? result : from(result).pipe(mergeAll());
}

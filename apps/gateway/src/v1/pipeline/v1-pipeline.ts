import { CanActivate, ExceptionFilter, ForbiddenException, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { ModuleRef } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { defer, from, isObservable, lastValueFrom, mergeAll, Observable } from 'rxjs';
import { requestContext } from '@app/common';
import { isPromiseInterceptor, PromiseInterceptor } from '@app/observability';
import { serverConfig } from '../../server.config';
import { IdempotentRequests } from '../idempotency/idempotent-requests';
import { cutIfStalled } from './client-stall';
import { gatewayCall } from './gateway-call';
import { GlobalEnhancers } from './global-enhancers';
import { HttpExecutionContext } from './http-execution-context';
import { KeyStreamLimit } from './key-stream-limit';
import { LoadShedder } from './load-shedder';
import { RequestLifecycle } from './request-lifecycle';
import type { V1Route } from './v1-api';

type FastifyHandler = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/**
 * The data plane: every model call enters here. The `/v1` routes are mounted on Fastify directly and run
 * through the same global guards, interceptors and exception filter as the Nest routes, in Nest's order
 * (see GlobalEnhancers), but without Nest's generic per-request machinery (parameter resolution, an async
 * resource and an Observable consumer per interceptor, the router proxy), which cost about a fifth of a
 * request's CPU. A request's story, top to bottom:
 *
 *   open (request id, evidence and log on close)  → admission (overload: 503 before the body is even read)
 *   → guards (key, rate limits)  → streams per key  → interceptors (handler completion, redaction)
 *   → Idempotency-Key (replay a kept answer, or run once)  → the API: parse → plan, reserve, route, settle
 *   (ModelCallService) → write (a client that stops reading is cut)  → on any failure, the exception filter
 *   answers in the API's own error shape.
 */
@Injectable()
export class V1Pipeline {
  private readonly clientStallMs: number;

  constructor(
    private readonly enhancers: GlobalEnhancers,
    private readonly lifecycle: RequestLifecycle,
    private readonly modules: ModuleRef,
    private readonly shedder: LoadShedder,
    private readonly streamLimit: KeyStreamLimit,
    private readonly idempotency: IdempotentRequests,
    @Inject(serverConfig.KEY) settings: ConfigType<typeof serverConfig>,
  ) {
    this.clientStallMs = settings.connections.clientStallTimeoutMs;
  }

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
      const handle: FastifyHandler = (request, reply) =>
        api.handle(request, reply, gatewayCall(request, reply, this.clientStallMs));
      const chain = { guards, interceptors: interceptedBy(interceptors), filter };
      fastify.route({
        method: route.method,
        url: route.url,
        onRequest: this.admission(route, handle, filter),
        handler: this.pipeline(route, handle, chain),
      });
    }
  }

  /** Before the body is read: the route's API is known from here on, and an overloaded instance says so. */
  private admission(route: V1Route, handle: FastifyHandler, filter: ExceptionFilter): onRequestHookHandler {
    return (request, reply, done) => {
      requestContext(request.raw).api = route.name;
      const refusal = this.shedder.admit(reply.raw);
      if (!refusal) return done();
      // Answered here, so Fastify goes no further (the body is never read).
      filter.catch(refusal, new HttpExecutionContext(request, reply, route.api, handle));
    };
  }

  private pipeline(route: V1Route, handle: FastifyHandler, chain: EnhancerChain): FastifyHandler {
    return async (request, reply) => {
      const context = new HttpExecutionContext(request, reply, route.api, handle);
      try {
        for (const guard of chain.guards) {
          // As Nest's router does: a guard that says no without throwing means 403.
          if ((await guard.canActivate(context)) !== true) throw new ForbiddenException();
        }
        this.limitStreams(request, reply);
        await chain.interceptors(context, () => this.idempotency.run(request, reply, () => handle(request, reply)));
      } catch (error) {
        chain.filter.catch(error, context);
      }
      cutIfStalled(reply.raw, requestContext(request.raw), this.clientStallMs);
    };
  }

  /** A stream (`"stream": true` in every streaming API's body) counts against its key's stream limit. */
  private limitStreams(request: FastifyRequest, reply: FastifyReply): void {
    const body = request.body as { stream?: unknown } | undefined;
    const principal = requestContext(request.raw).principal;
    if (body?.stream !== true || !principal) return;
    const refusal = this.streamLimit.open(principal.keyId, reply.raw);
    if (refusal) throw refusal;
  }
}

interface EnhancerChain {
  guards: readonly CanActivate[];
  interceptors: Intercepted;
  filter: ExceptionFilter;
}

/** Runs the handler (`run`) inside the global interceptors, outermost first. */
type Intercepted = (context: HttpExecutionContext, run: () => Promise<void>) => Promise<unknown>;

/**
 * The interceptors' promise forms when every one has one (`PromiseInterceptor`), else Nest's Observables:
 * the same work in the same nesting, without an Observable chain per interceptor and request.
 */
function interceptedBy(interceptors: readonly NestInterceptor[]): Intercepted {
  if (interceptors.every(isPromiseInterceptor)) {
    return (context, run) => around(interceptors, context, 0, run);
  }
  return (context, run) => lastValueFrom(intercepted(interceptors, context, 0, run), { defaultValue: undefined });
}

/** The handler wrapped in the interceptors' `around` from `index` inwards. */
function around(
  interceptors: readonly PromiseInterceptor[],
  context: HttpExecutionContext,
  index: number,
  run: () => Promise<void>,
): Promise<void> {
  if (index === interceptors.length) return run();
  return interceptors[index].around(context, () => around(interceptors, context, index + 1, run));
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

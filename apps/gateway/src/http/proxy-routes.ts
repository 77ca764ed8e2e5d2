import { CanActivate, ExceptionFilter, ForbiddenException, Injectable, NestInterceptor } from '@nestjs/common';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { defer, from, isObservable, lastValueFrom, mergeAll, Observable } from 'rxjs';
import { ApiKeyGuard } from '@app/auth';
import { RedactionInterceptor, HandlerCompletionInterceptor } from '@app/observability';
import { RateLimitGuard } from '@app/quota';
import { ChatRoute } from '../chat/chat.route';
import { EmbeddingsRoute } from '../embeddings/embeddings.route';

type Handler = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/**
 * The proxy routes — every model call — are the gateway's hot path. They are registered on Fastify directly
 * and run through the same global guards, interceptors and exception filter as the Nest routes, in the same
 * order, but without Nest's generic per-request machinery (parameter resolution, an async resource and an
 * Observable consumer per interceptor, the router proxy), which cost about a fifth of a request's CPU.
 * Fastify's hooks (request id, evidence, request log, server-timing) and body parsing apply as to any route.
 */
@Injectable()
export class ProxyRoutes {
  private readonly guards: readonly CanActivate[];
  private readonly interceptors: readonly NestInterceptor[];

  constructor(
    apiKeys: ApiKeyGuard,
    rateLimits: RateLimitGuard,
    timing: HandlerCompletionInterceptor,
    redaction: RedactionInterceptor,
    private readonly chat: ChatRoute,
    private readonly embeddings: EmbeddingsRoute,
  ) {
    // Nest's order for the global enhancers: AuthModule's guard before QuotaModule's (the rate limiter needs
    // the key's principal), and the app's interceptors as registered (timing outermost).
    this.guards = [apiKeys, rateLimits];
    this.interceptors = [timing, redaction];
  }

  register(fastify: FastifyInstance, filter: ExceptionFilter): void {
    fastify.post('/v1/chat/completions', this.pipeline((request, reply) => this.chat.handle(request, reply), filter));
    fastify.post('/v1/embeddings', this.pipeline((request, reply) => this.embeddings.handle(request, reply), filter));
  }

  private pipeline(handler: Handler, filter: ExceptionFilter): Handler {
    return async (request, reply) => {
      const context = new ExecutionContextHost([request, reply], ProxyRoutes, handler);
      context.setType('http');
      try {
        for (const guard of this.guards) {
          // As Nest's router does: a guard that says no without throwing means 403.
          if ((await guard.canActivate(context)) !== true) throw new ForbiddenException();
        }
        await lastValueFrom(this.intercepted(context, 0, () => handler(request, reply)), { defaultValue: undefined });
      } catch (error) {
        filter.catch(error, context);
      }
    };
  }

  /** The handler wrapped in the interceptors from `index` inwards, as Nest nests them. */
  private intercepted(context: ExecutionContextHost, index: number, run: () => Promise<void>): Observable<unknown> {
    if (index === this.interceptors.length) return defer(run);
    const result = this.interceptors[index].intercept(context, { handle: () => this.intercepted(context, index + 1, run) });
    return isObservable(result) ? result : from(result).pipe(mergeAll());
  }
}

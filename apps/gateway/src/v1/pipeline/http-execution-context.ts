import type { ExecutionContext, Type } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';

// Named from ExecutionContext itself: @nestjs/common exports these interfaces only from an internal path.
type HttpArgumentsHost = ReturnType<ExecutionContext['switchToHttp']>;
type RpcArgumentsHost = ReturnType<ExecutionContext['switchToRpc']>;
type WsArgumentsHost = ReturnType<ExecutionContext['switchToWs']>;

/**
 * The `ExecutionContext` Nest's guards, interceptors and filters expect, for one `/v1` request: HTTP only,
 * its request and reply as arguments, and the serving API's class and handler for metadata lookups (a route
 * opts out of the key guard the same way a controller does, with `@Public()` on the class).
 */
export class HttpExecutionContext implements ExecutionContext, HttpArgumentsHost {
  private readonly args: [FastifyRequest, FastifyReply];

  constructor(
    request: FastifyRequest,
    reply: FastifyReply,
    private readonly apiClass: Type,
    private readonly handler: (...args: never[]) => unknown,
  ) {
    this.args = [request, reply];
  }

  getClass<T = unknown>(): Type<T> {
    return this.apiClass as Type<T>;
  }

  getHandler(): (...args: never[]) => unknown {
    return this.handler;
  }

  getArgs<T extends unknown[] = unknown[]>(): T {
    return this.args as unknown as T;
  }

  getArgByIndex<T = unknown>(index: number): T {
    return this.args[index] as T;
  }

  getType<T extends string = 'http'>(): T {
    return 'http' as T;
  }

  switchToHttp(): HttpArgumentsHost {
    return this;
  }

  getRequest<T = FastifyRequest>(): T {
    return this.args[0] as T;
  }

  getResponse<T = FastifyReply>(): T {
    return this.args[1] as T;
  }

  getNext<T = never>(): T {
    throw new Error('Fastify routes have no `next` callback.');
  }

  switchToRpc(): RpcArgumentsHost {
    throw new Error('The /v1 routes are HTTP only.');
  }

  switchToWs(): WsArgumentsHost {
    throw new Error('The /v1 routes are HTTP only.');
  }
}

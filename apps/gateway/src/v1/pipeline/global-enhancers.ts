import { CanActivate, ExceptionFilter, Injectable, NestInterceptor } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, ModulesContainer } from '@nestjs/core';

/**
 * The global guards, interceptors and exception filter exactly as Nest registered them: every provider
 * given under `APP_GUARD`, `APP_INTERCEPTOR` or `APP_FILTER`, in Nest's order (modules as scanned, providers
 * as declared — AuthModule's key guard before QuotaModule's rate limiter). The `/v1` pipeline runs these same
 * instances, so an enhancer registered once applies to every route, Nest-routed or not.
 *
 * Nest stores each such provider under its token plus a unique suffix (`APP_GUARD (UUID: …)`); matching the
 * prefix is how they are found. Should Nest ever rename them, `V1Pipeline` refuses to start without guards
 * and the route-access test fails.
 */
@Injectable()
export class GlobalEnhancers {
  constructor(private readonly modules: ModulesContainer) {}

  guards(): CanActivate[] {
    return this.registered<CanActivate>(APP_GUARD);
  }

  interceptors(): NestInterceptor[] {
    return this.registered<NestInterceptor>(APP_INTERCEPTOR);
  }

  filters(): ExceptionFilter[] {
    return this.registered<ExceptionFilter>(APP_FILTER);
  }

  private registered<T>(token: string): T[] {
    const found: T[] = [];
    for (const module of this.modules.values()) {
      for (const [key, wrapper] of module.providers) {
        if (typeof key === 'string' && key.startsWith(token) && wrapper.instance) found.push(wrapper.instance as T);
      }
    }
    return found;
  }
}

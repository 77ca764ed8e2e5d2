import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AdminPrincipal, GatewayError, RequestContext, requestContext } from '@app/common';
import { AdminKeyService } from '../keys/admin-key.service';
import { ApiKeyService } from '../keys/api-key.service';
import { ADMIN_ACCESS, AdminAccessRule, ROUTE_ACCESS, RouteAccess } from './access.decorator';
import { adminRefusal } from './admin-access-policy';
import { AdminCallLog } from './admin-call-log';
import { presentedKey } from './presented-key';

// One message for missing, unknown, revoked and expired keys: the response must not tell them apart.
const INVALID_KEY_MESSAGE =
  'Invalid or missing API key. Send a Switchyard gateway key as "Authorization: Bearer <key>".';

interface KeyedRequest {
  headers: Record<string, string | string[] | undefined>;
  raw: object;
  /** The client's address, from the socket or, behind a trusted proxy, from X-Forwarded-For. */
  ip: string;
  method: string;
  url: string;
  routeOptions?: { url?: string };
  params?: unknown;
  query?: unknown;
}

/**
 * The global guard: every route needs a gateway key unless it is marked `@Public()` or `@AdminOnly()`. On
 * admin routes it also applies the admin's role to the handler's `@AdminAccess` rule and records the call,
 * allowed or refused, before anything else happens: the one place no admin route can slip past.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeyService,
    private readonly adminKeys: AdminKeyService,
    private readonly adminCalls: AdminCallLog,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const access =
      this.reflector.getAllAndOverride<RouteAccess>(ROUTE_ACCESS, [context.getHandler(), context.getClass()]) ??
      'gateway';
    if (access === 'public') return true;
    const request = context.switchToHttp().getRequest<KeyedRequest>();
    const key = presentedKey(request.headers);
    const evidence = requestContext(request.raw);

    if (access === 'admin') {
      const admin = await this.adminKeys.authenticate(key);
      if (admin) return this.authorizeAdmin(admin, context, request, evidence);
      if (await this.apiKeys.authenticate(key)) {
        throw new GatewayError('permission_denied', 'Gateway keys cannot call the admin API; use the admin key.');
      }
      throw new GatewayError('invalid_api_key', INVALID_KEY_MESSAGE);
    }

    const principal = await this.apiKeys.authenticate(key, request.ip);
    if (principal) {
      evidence.principal = principal;
      return true;
    }
    if (await this.adminKeys.authenticate(key)) {
      throw new GatewayError(
        'permission_denied',
        'The admin key cannot call /v1; create a gateway key with POST /admin/keys.',
      );
    }
    throw new GatewayError('invalid_api_key', INVALID_KEY_MESSAGE);
  }

  private async authorizeAdmin(
    admin: AdminPrincipal,
    context: ExecutionContext,
    request: KeyedRequest,
    evidence: RequestContext,
  ): Promise<true> {
    evidence.adminKeyId = admin.id;
    evidence.admin = admin;
    const rule = this.reflector.get<AdminAccessRule | undefined>(ADMIN_ACCESS, context.getHandler());
    if (!rule) {
      throw new GatewayError('internal_error', 'This admin route declares no access rule, so nobody may call it.');
    }
    const refusal = adminRefusal(admin, rule, request.method);
    await this.adminCalls.record({
      admin,
      requestId: evidence.requestId,
      method: request.method,
      route: request.routeOptions?.url ?? request.url.split('?')[0],
      params: asRecord(request.params),
      query: asRecord(request.query),
      refused: refusal !== null,
    });
    if (refusal) throw new GatewayError('permission_denied', refusal);
    return true;
  }
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

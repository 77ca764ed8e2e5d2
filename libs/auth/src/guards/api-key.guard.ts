import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GatewayError, requestContext } from '@app/common';
import { AdminKeyService } from '../keys/admin-key.service';
import { ApiKeyService } from '../keys/api-key.service';
import { ROUTE_ACCESS, RouteAccess } from './access.decorator';
import { presentedKey } from './presented-key';

// One message for missing, unknown, revoked and expired keys: the response must not tell them apart.
const INVALID_KEY_MESSAGE =
  'Invalid or missing API key. Send a Switchyard gateway key as "Authorization: Bearer <key>".';

interface KeyedRequest {
  headers: Record<string, string | string[] | undefined>;
  raw: object;
  /** The client's address, from the socket or, behind a trusted proxy, from X-Forwarded-For. */
  ip: string;
}

/** The global guard: every route needs a gateway key unless it is marked `@Public()` or `@AdminOnly()`. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeyService,
    private readonly adminKeys: AdminKeyService,
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
      const adminKeyId = await this.adminKeys.authenticate(key);
      if (adminKeyId) {
        evidence.adminKeyId = adminKeyId;
        return true;
      }
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
}

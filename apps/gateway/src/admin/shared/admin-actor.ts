import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { GatewayError, requestContext } from '@app/common';

/**
 * The admin behind a request, handed explicitly to every admin service method that changes something:
 * its id is the actor the audit trail records. Roles (who may do what) will join it here.
 */
export interface AdminActor {
  /** The admin key's id. */
  readonly id: string;
}

/** Handler parameter: the authenticated admin making the request. */
export const Actor = createParamDecorator((_data: unknown, context: ExecutionContext): AdminActor => {
  const id = requestContext(context.switchToHttp().getRequest<FastifyRequest>().raw).adminKeyId;
  if (!id) throw new GatewayError('internal_error', 'Admin route reached without an authenticated admin key.');
  return { id };
});

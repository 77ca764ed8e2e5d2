import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { GatewayError, requestContext } from '@app/common';

/** The admin key id behind the request: the actor recorded in the audit trail. */
export const AdminActor = createParamDecorator((_data: unknown, context: ExecutionContext): string => {
  const actor = requestContext(context.switchToHttp().getRequest<FastifyRequest>().raw).adminKeyId;
  if (!actor) throw new GatewayError('internal_error', 'Admin route reached without an authenticated admin key.');
  return actor;
});

import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AdminPrincipal, GatewayError, requestContext } from '@app/common';

/**
 * The admin behind a request, handed explicitly to every admin service method: its id and role are the actor
 * the audit trail records, and a team admin's teams bound what the method may see and change.
 */
export type AdminActor = AdminPrincipal;

/** Handler parameter: the authenticated admin making the request. */
export const Actor = createParamDecorator((_data: unknown, context: ExecutionContext): AdminActor => {
  const admin = requestContext(context.switchToHttp().getRequest<FastifyRequest>().raw).admin;
  if (!admin) throw new GatewayError('internal_error', 'Admin route reached without an authenticated admin.');
  return admin;
});

/** The teams whose objects the actor may see and change: a team admin's own; undefined for every team. */
export function visibleTeams(actor: AdminActor): readonly string[] | undefined {
  return actor.role === 'team_admin' ? actor.teamIds : undefined;
}

/** Whether the actor may see an object of `teamId` (null: an object of no team, such as a keyless request). */
export function seesTeam(actor: AdminActor, teamId: string | null): boolean {
  const teams = visibleTeams(actor);
  return teams === undefined || (teamId !== null && teams.includes(teamId));
}

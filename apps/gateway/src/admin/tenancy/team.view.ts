import type { TeamEntity } from '@app/auth';

export function teamView(team: TeamEntity) {
  return { id: team.id, name: team.name, created_at: team.createdAt.toISOString() };
}

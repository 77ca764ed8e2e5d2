import type { ProjectEntity } from '@app/auth';

/** A project with its model and tier allow-lists (null: no limit). */
export function projectView(project: ProjectEntity) {
  return {
    id: project.id,
    name: project.name,
    team_id: project.teamId,
    models: project.models,
    tiers: project.tiers,
    created_at: project.createdAt.toISOString(),
  };
}

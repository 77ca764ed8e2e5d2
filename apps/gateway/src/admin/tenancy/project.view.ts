import type { ProjectEntity } from '@app/auth';

/** A project with its model and tier allow-lists (null: no limit), its anomaly action and suspension. */
export function projectView(project: ProjectEntity) {
  return {
    id: project.id,
    name: project.name,
    team_id: project.teamId,
    models: project.models,
    tiers: project.tiers,
    on_anomaly: project.onAnomaly,
    suspended_at: project.suspendedAt?.toISOString() ?? null,
    suspended_reason: project.suspendedReason,
    suspended_by: project.suspendedBy,
    resumed_at: project.resumedAt?.toISOString() ?? null,
    created_at: project.createdAt.toISOString(),
  };
}

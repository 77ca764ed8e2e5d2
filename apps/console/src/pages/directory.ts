import { listKeys, listProjects, listTeams } from '../api/admin-api';
import type { AdminClient } from '../api/client';
import type { GatewayKey, Project, Team } from '../api/types';

/**
 * The teams, projects and keys the signed-in token may see (the API filters them by role), for showing
 * names where records and reports carry ids.
 */
export interface Directory {
  teams: Team[];
  projects: Project[];
  keys: GatewayKey[];
  team(id: string | null | undefined): Team | undefined;
  project(id: string | null | undefined): Project | undefined;
  key(id: string | null | undefined): GatewayKey | undefined;
}

export async function loadDirectory(api: AdminClient): Promise<Directory> {
  const [teams, projects, keys] = await Promise.all([listTeams(api), listProjects(api), listKeys(api)]);
  const byId = <T extends { id: string }>(items: T[]) => new Map(items.map((item) => [item.id, item]));
  const teamsById = byId(teams.data);
  const projectsById = byId(projects.data);
  const keysById = byId(keys.data);
  return {
    teams: teams.data,
    projects: projects.data,
    keys: keys.data,
    team: (id) => (id ? teamsById.get(id) : undefined),
    project: (id) => (id ? projectsById.get(id) : undefined),
    key: (id) => (id ? keysById.get(id) : undefined),
  };
}

/** Runs `task` over `items` with at most `limit` at a time: one call per team or project, without a flood. */
export async function mapLimited<T, R>(items: T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

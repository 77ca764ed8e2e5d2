import { Command, Option } from 'commander';
import type { CommandGroup } from '../context';
import { renderFields, renderTable } from '../output/table';

export interface Project {
  id: string;
  name: string;
  team_id: string;
  models: string[] | null;
  tiers: string[] | null;
  on_anomaly?: string;
  suspended_at?: string | null;
  suspended_reason?: string | null;
  created_at: string;
}

const onAnomalyOption = () =>
  new Option('--on-anomaly <action>', 'what anomaly detection does besides alerting').choices(['none', 'suspend']);

/** `switchyard projects create|list|update|resume`. */
export const projectsCommands: CommandGroup = (program, context) => {
  const projects = program.command('projects').description('projects: create, list, update, resume');
  projects
    .command('create <name>')
    .description('create a project in a team')
    .addOption(new Option('--team <id>', 'the team it belongs to').makeOptionMandatory())
    .addOption(onAnomalyOption())
    .action(async (name: string, options: { team: string; onAnomaly?: string }, command: Command) => {
      const project = await context
        .client(command)
        .post<Project>('/admin/projects', { name, team_id: options.team, on_anomaly: options.onAnomaly });
      context.output(command).result(project, () => renderProject(project));
    });
  projects
    .command('update <id>')
    .description("change a project's settings")
    .addOption(onAnomalyOption().makeOptionMandatory())
    .action(async (id: string, options: { onAnomaly: string }, command: Command) => {
      const project = await context
        .client(command)
        .patch<Project>(`/admin/projects/${encodeURIComponent(id)}`, { on_anomaly: options.onAnomaly });
      context.output(command).result(project, () => renderProject(project));
    });
  projects
    .command('resume <id>')
    .description('lift the suspension of a project (all its keys) by anomaly detection')
    .action(async (id: string, _options: object, command: Command) => {
      const project = await context.client(command).post<Project>(`/admin/projects/${encodeURIComponent(id)}/resume`);
      context.output(command).result(project, () => renderProject(project));
    });
  projects
    .command('list')
    .description('list projects, of one team or all')
    .option('--team <id>', 'only this team’s projects')
    .action(async (options: { team?: string }, command: Command) => {
      const list = await context.client(command).get<{ data: Project[] }>('/admin/projects', { team_id: options.team });
      context.output(command).result(list, () =>
        renderTable(
          [
            { header: 'ID', value: (project) => project.id },
            { header: 'NAME', value: (project) => project.name },
            { header: 'TEAM', value: (project) => project.team_id },
            { header: 'MODELS', value: (project) => project.models?.join(',') ?? 'any' },
            { header: 'TIERS', value: (project) => project.tiers?.join(',') ?? 'any' },
            { header: 'CREATED', value: (project) => project.created_at },
          ],
          list.data,
        ),
      );
    });
};

export function renderProject(project: Project): string {
  return renderFields([
    ['id', project.id],
    ['name', project.name],
    ['team', project.team_id],
    ['models', project.models?.join(', ') ?? 'any'],
    ['tiers', project.tiers?.join(', ') ?? 'any'],
    ['on anomaly', project.on_anomaly],
    ['suspended', project.suspended_at ? `${project.suspended_at}: ${project.suspended_reason ?? ''}` : undefined],
    ['created', project.created_at],
  ]);
}

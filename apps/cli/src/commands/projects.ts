import { Command, Option } from 'commander';
import type { CommandGroup } from '../context';
import { renderFields, renderTable } from '../output/table';

export interface Project {
  id: string;
  name: string;
  team_id: string;
  models: string[] | null;
  tiers: string[] | null;
  created_at: string;
}

/** `switchyard projects create|list`. */
export const projectsCommands: CommandGroup = (program, context) => {
  const projects = program.command('projects').description('projects: create and list');
  projects
    .command('create <name>')
    .description('create a project in a team')
    .addOption(new Option('--team <id>', 'the team it belongs to').makeOptionMandatory())
    .action(async (name: string, options: { team: string }, command: Command) => {
      const project = await context.client(command).post<Project>('/admin/projects', { name, team_id: options.team });
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
    ['created', project.created_at],
  ]);
}

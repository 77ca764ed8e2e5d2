import type { Command } from 'commander';
import type { CommandGroup } from '../context';
import { renderFields, renderTable } from '../output/table';

interface Team {
  id: string;
  name: string;
  created_at: string;
}

/** `switchyard teams create|list`. */
export const teamsCommands: CommandGroup = (program, context) => {
  const teams = program.command('teams').description('teams: create and list');
  teams
    .command('create <name>')
    .description('create a team')
    .action(async (name: string, _options: object, command: Command) => {
      const team = await context.client(command).post<Team>('/admin/teams', { name });
      context.output(command).result(team, () =>
        renderFields([
          ['id', team.id],
          ['name', team.name],
          ['created', team.created_at],
        ]),
      );
    });
  teams
    .command('list')
    .description('list every team')
    .action(async (_options: object, command: Command) => {
      const list = await context.client(command).get<{ data: Team[] }>('/admin/teams');
      context.output(command).result(list, () =>
        renderTable(
          [
            { header: 'ID', value: (team) => team.id },
            { header: 'NAME', value: (team) => team.name },
            { header: 'CREATED', value: (team) => team.created_at },
          ],
          list.data,
        ),
      );
    });
};

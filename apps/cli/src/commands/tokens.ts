import { Command, Option } from 'commander';
import type { CommandGroup } from '../context';
import { renderFields, renderTable } from '../output/table';
import { listArg } from './arguments';

interface Token {
  id: string;
  name: string;
  role: string;
  team_ids: string[];
  masked_token: string;
  revoked_at: string | null;
  created_at: string;
}

/** Issuing and rotating answer the token itself, once. */
type IssuedToken = Token & { token: string; rotated_from?: string };

interface Whoami {
  id: string;
  name: string | null;
  role: string;
  team_ids: string[] | null;
}

/**
 * `switchyard tokens create|list|revoke|rotate`: admin tokens with roles (owner, team_admin, auditor); and
 * `switchyard whoami`: the admin the configured token stands for.
 */
export const tokensCommands: CommandGroup = (program, context) => {
  const tokens = program.command('tokens').description('admin tokens with roles: create, list, revoke, rotate');
  tokens
    .command('create')
    .description('issue an admin token (printed once: store it now)')
    .addOption(new Option('--name <name>', 'who or what it is for').makeOptionMandatory())
    .addOption(
      new Option('--role <role>', 'what it may do').choices(['owner', 'team_admin', 'auditor']).makeOptionMandatory(),
    )
    .option('--teams <ids>', 'team_admin only: the teams it manages, comma-separated', listArg)
    .action(async (options: { name: string; role: string; teams?: string[] }, command: Command) => {
      const issued = await context
        .client(command)
        .post<IssuedToken>('/admin/tokens', { name: options.name, role: options.role, team_ids: options.teams });
      context.output(command).issued(issued, () => `${renderToken(issued)}\ntoken  ${issued.token}\n`, 'token');
    });
  tokens
    .command('list')
    .description('list admin tokens (masked)')
    .action(async (_options: object, command: Command) => {
      const list = await context.client(command).get<{ data: Token[] }>('/admin/tokens');
      context.output(command).result(list, () =>
        renderTable(
          [
            { header: 'ID', value: (token) => token.id },
            { header: 'TOKEN', value: (token) => token.masked_token },
            { header: 'NAME', value: (token) => token.name },
            { header: 'ROLE', value: (token) => token.role },
            { header: 'TEAMS', value: (token) => token.team_ids.join(',') },
            { header: 'STATE', value: (token) => (token.revoked_at ? `revoked ${token.revoked_at}` : 'active') },
          ],
          list.data,
        ),
      );
    });
  tokens
    .command('revoke <id>')
    .description('revoke an admin token')
    .action(async (id: string, _options: object, command: Command) => {
      const token = await context.client(command).post<Token>(`/admin/tokens/${encodeURIComponent(id)}/revoke`);
      context.output(command).result(token, () => renderToken(token));
    });
  tokens
    .command('rotate <id>')
    .description('issue a replacement with the same name, role and teams, and revoke this token (printed once)')
    .action(async (id: string, _options: object, command: Command) => {
      const issued = await context.client(command).post<IssuedToken>(`/admin/tokens/${encodeURIComponent(id)}/rotate`);
      context.output(command).issued(issued, () => `${renderToken(issued)}\ntoken  ${issued.token}\n`, 'token');
    });

  program
    .command('whoami')
    .description('the admin the configured token stands for: id, name, role, teams')
    .action(async (_options: object, command: Command) => {
      const me = await context.client(command).get<Whoami>('/admin/whoami');
      context.output(command).result(me, () =>
        renderFields([
          ['id', me.id],
          ['name', me.name],
          ['role', me.role],
          ['teams', me.team_ids?.length ? me.team_ids.join(', ') : 'all'],
        ]),
      );
    });
};

function renderToken(token: Token & { rotated_from?: string }): string {
  return renderFields([
    ['id', token.id],
    ['masked', token.masked_token],
    ['name', token.name],
    ['role', token.role],
    ['teams', token.team_ids.length ? token.team_ids.join(', ') : 'all'],
    ['state', token.revoked_at ? `revoked ${token.revoked_at}` : 'active'],
    ['rotated from', token.rotated_from],
    ['created', token.created_at],
  ]);
}

import { Command, Option } from 'commander';
import type { CommandGroup } from '../context';
import { renderFields, renderTable } from '../output/table';
import { listArg } from './arguments';

export interface Key {
  id: string;
  masked_key: string;
  name: string;
  owner: string | null;
  project_id: string;
  environment: string;
  models: string[] | null;
  tiers: string[] | null;
  allowed_ips: string[] | null;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
  suspended_at?: string | null;
  suspended_reason?: string | null;
  created_at: string;
}

/** Creation and rotation answer the key itself, once. */
type IssuedKey = Key & { key: string; rotated_from?: string };

interface CreateOptions {
  project: string;
  name: string;
  owner?: string;
  environment: string;
  models?: string[];
  tiers?: string[];
  allowedIps?: string[];
  expiresAt?: string;
}

/** `switchyard keys create|list|revoke|rotate|resume`. */
export const keysCommands: CommandGroup = (program, context) => {
  const keys = program.command('keys').description('gateway keys: create, list, revoke, rotate, resume');
  keys
    .command('create')
    .description('issue a key (printed once: store it now)')
    .addOption(new Option('--project <id>', 'the project it belongs to').makeOptionMandatory())
    .addOption(new Option('--name <name>', 'a name to recognise it by').makeOptionMandatory())
    .addOption(
      new Option('--environment <environment>', 'which environment it is for')
        .choices(['test', 'staging', 'production'])
        .makeOptionMandatory(),
    )
    .option('--owner <owner>', 'the person or service it belongs to (usage can be grouped by it)')
    .option('--models <names>', 'allowed models, comma-separated (default: any)', listArg)
    .option('--tiers <tiers>', 'allowed tiers, comma-separated (default: any)', listArg)
    .option('--allowed-ips <cidrs>', 'addresses or CIDRs it may be used from (default: any)', listArg)
    .option('--expires-at <time>', 'ISO timestamp after which it stops working')
    .action(async (options: CreateOptions, command: Command) => {
      const issued = await context.client(command).post<IssuedKey>('/admin/keys', {
        project_id: options.project,
        name: options.name,
        environment: options.environment,
        owner: options.owner,
        models: options.models,
        tiers: options.tiers,
        allowed_ips: options.allowedIps,
        expires_at: options.expiresAt,
      });
      context.output(command).issued(issued, () => renderIssued(issued), 'key');
    });
  keys
    .command('list')
    .description('list keys (masked), of one project or all')
    .option('--project <id>', 'only this project’s keys')
    .action(async (options: { project?: string }, command: Command) => {
      const list = await context.client(command).get<{ data: Key[] }>('/admin/keys', { project_id: options.project });
      context.output(command).result(list, () =>
        renderTable(
          [
            { header: 'ID', value: (key) => key.id },
            { header: 'KEY', value: (key) => key.masked_key },
            { header: 'NAME', value: (key) => key.name },
            { header: 'ENV', value: (key) => key.environment },
            { header: 'OWNER', value: (key) => key.owner },
            { header: 'PROJECT', value: (key) => key.project_id },
            { header: 'STATE', value: keyState },
            { header: 'LAST USED', value: (key) => key.last_used_at },
          ],
          list.data,
        ),
      );
    });
  keys
    .command('revoke <id>')
    .description('revoke a key (other instances stop accepting it within AUTH_CACHE_TTL_MS)')
    .action(async (id: string, _options: object, command: Command) => {
      const key = await context.client(command).post<Key>(`/admin/keys/${encodeURIComponent(id)}/revoke`);
      context.output(command).result(key, () => renderKey(key));
    });
  keys
    .command('resume <id>')
    .description('lift a suspension by anomaly detection (other instances within AUTH_CACHE_TTL_MS)')
    .action(async (id: string, _options: object, command: Command) => {
      const key = await context.client(command).post<Key>(`/admin/keys/${encodeURIComponent(id)}/resume`);
      context.output(command).result(key, () => renderKey(key));
    });
  keys
    .command('rotate <id>')
    .description('issue a replacement with the same settings and revoke this key (printed once)')
    .action(async (id: string, _options: object, command: Command) => {
      const issued = await context.client(command).post<IssuedKey>(`/admin/keys/${encodeURIComponent(id)}/rotate`);
      context.output(command).issued(issued, () => renderIssued(issued), 'key');
    });
};

/** The one place a key itself is printed: right after it was issued. */
function renderIssued(issued: IssuedKey): string {
  return `${renderKey(issued)}\nkey  ${issued.key}\n`;
}

export function renderKey(key: Key & { rotated_from?: string }): string {
  return renderFields([
    ['id', key.id],
    ['masked', key.masked_key],
    ['name', key.name],
    ['environment', key.environment],
    ['owner', key.owner],
    ['project', key.project_id],
    ['state', keyState(key)],
    ['suspended for', key.suspended_reason ?? undefined],
    ['models', key.models?.join(', ') ?? 'any'],
    ['tiers', key.tiers?.join(', ') ?? 'any'],
    ['allowed ips', key.allowed_ips?.join(', ') ?? 'any'],
    ['expires', key.expires_at ?? 'never'],
    ['rotated from', key.rotated_from],
    ['created', key.created_at],
  ]);
}

function keyState(key: Key): string {
  if (key.revoked_at) return `revoked ${key.revoked_at}`;
  if (key.expires_at && Date.parse(key.expires_at) <= Date.now()) return 'expired';
  if (key.suspended_at) return `suspended ${key.suspended_at}`;
  return 'active';
}

import type { Command } from 'commander';
import { UsageError } from '../cli-errors';
import type { CommandGroup } from '../context';
import { idOption, listArg, Scope, scopeOption, scopePath } from './arguments';
import { Key, renderKey } from './keys';
import { Project, renderProject } from './projects';

interface AccessOptions {
  scope: Extract<Scope, 'key' | 'project'>;
  id: string;
  models?: string[];
  tiers?: string[];
  allowedIps?: string[];
}

/** `switchyard access set --scope key|project --id …`: replaces the allow-lists as a whole. */
export const accessCommands: CommandGroup = (program, context) => {
  program
    .command('access')
    .description('allow-lists of keys and projects')
    .command('set')
    .description('replace the allow-lists: a list left out is lifted (no limit)')
    .addOption(scopeOption(['key', 'project']))
    .addOption(idOption())
    .option('--models <names>', 'allowed models or aliases, comma-separated', listArg)
    .option('--tiers <tiers>', 'allowed tiers, comma-separated', listArg)
    .option('--allowed-ips <cidrs>', 'keys only: addresses or CIDRs it may be used from', listArg)
    .action(async (options: AccessOptions, command: Command) => {
      if (options.scope === 'project' && options.allowedIps) {
        throw new UsageError('--allowed-ips: only keys have an IP allow-list');
      }
      const body = { models: options.models ?? null, tiers: options.tiers ?? null };
      const client = context.client(command);
      const path = `${scopePath(options.scope, options.id)}/access`;
      const output = context.output(command);
      if (options.scope === 'key') {
        const key = await client.put<Key>(path, { ...body, allowed_ips: options.allowedIps ?? null });
        output.result(key, () => renderKey(key));
      } else {
        const project = await client.put<Project>(path, body);
        output.result(project, () => renderProject(project));
      }
    });
};

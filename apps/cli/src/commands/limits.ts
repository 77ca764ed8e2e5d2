import type { Command } from 'commander';
import type { CommandGroup } from '../context';
import { renderFields } from '../output/table';
import { idOption, limitArg, Scope, scopeOption, scopePath } from './arguments';

interface RateLimits {
  rpm: number | null;
  tpm: number | null;
}

interface ScopeOptions {
  scope: Scope;
  id: string;
}

/** `switchyard limits set|get --scope team|project|key --id …`: requests and tokens per minute. */
export const limitsCommands: CommandGroup = (program, context) => {
  const limits = program.command('limits').description('rate limits of teams, projects and keys');
  limits
    .command('set')
    .description('override the rate limits (an option left out goes back to the configured default)')
    .addOption(scopeOption())
    .addOption(idOption())
    .option('--rpm <n>', 'requests per minute, or "none" for no limit', limitArg)
    .option('--tpm <n>', 'tokens per minute, or "none" for no limit', limitArg)
    .action(async (options: ScopeOptions & { rpm?: number | 'none'; tpm?: number | 'none' }, command: Command) => {
      // The API reads null as "no limit" and an absent field as "the configured default".
      const limit = (value: number | 'none' | undefined) => (value === 'none' ? null : value);
      const effective = await context
        .client(command)
        .put<RateLimits>(`${scopePath(options.scope, options.id)}/rate-limits`, {
          rpm: limit(options.rpm),
          tpm: limit(options.tpm),
        });
      context.output(command).result(effective, () => renderLimits(effective));
    });
  limits
    .command('get')
    .description('show the rate limits in force')
    .addOption(scopeOption())
    .addOption(idOption())
    .action(async (options: ScopeOptions, command: Command) => {
      const effective = await context
        .client(command)
        .get<RateLimits>(`${scopePath(options.scope, options.id)}/rate-limits`);
      context.output(command).result(effective, () => renderLimits(effective));
    });
};

function renderLimits(limits: RateLimits): string {
  return renderFields([
    ['rpm', limits.rpm ?? 'no limit'],
    ['tpm', limits.tpm ?? 'no limit'],
  ]);
}

import type { Command } from 'commander';
import type { CommandGroup } from '../context';
import { renderFields } from '../output/table';

/** `switchyard quota stats`: the instance's budget and rate-limit counters. */
export const quotaCommands: CommandGroup = (program, context) => {
  program
    .command('quota')
    .description('budget and rate-limit machinery')
    .command('stats')
    .description('this instance’s counters: budget checks served from leases, lease queries, store errors, …')
    .action(async (_options: object, command: Command) => {
      const stats = await context.client(command).get<Record<string, number | boolean>>('/admin/quota/stats');
      context.output(command).result(stats, () => renderFields(Object.entries(stats)));
    });
};

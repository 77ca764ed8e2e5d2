import { Command, Option } from 'commander';
import type { CommandGroup } from '../context';
import { renderFields } from '../output/table';
import { idOption, nonNegativeNumber, Scope, scopeOption, scopePath } from './arguments';

interface Balance {
  limit_usd: number;
  spent_usd: number;
  reserved_usd: number;
  remaining_usd: number;
  period: string;
  resets_at: string | null;
  /** Advice the API may attach, e.g. that unpriced models are not limited by budgets. */
  warnings?: string[];
}

interface ScopeOptions {
  scope: Scope;
  id: string;
}

/** `switchyard budgets set|get|remove --scope team|project|key --id …`. */
export const budgetsCommands: CommandGroup = (program, context) => {
  const budgets = program.command('budgets').description('budgets of teams, projects and keys');
  budgets
    .command('set')
    .description('set a budget (a request must fit every budget of its key, project and team)')
    .addOption(scopeOption())
    .addOption(idOption())
    .addOption(new Option('--limit-usd <usd>', 'the limit in USD').argParser(nonNegativeNumber).makeOptionMandatory())
    .addOption(
      new Option('--period <period>', 'when it resets (UTC)')
        .choices(['total', 'daily', 'weekly', 'monthly'])
        .makeOptionMandatory(),
    )
    .action(async (options: ScopeOptions & { limitUsd: number; period: string }, command: Command) => {
      const balance = await context.client(command).put<Balance>(`${scopePath(options.scope, options.id)}/budget`, {
        limit_usd: options.limitUsd,
        period: options.period,
      });
      const output = context.output(command);
      output.result(balance, () => renderBalance(balance));
      for (const warning of balance.warnings ?? []) output.note(`warning: ${warning}`);
    });
  budgets
    .command('get')
    .description('show a budget and where it stands')
    .addOption(scopeOption())
    .addOption(idOption())
    .action(async (options: ScopeOptions, command: Command) => {
      const balance = await context.client(command).get<Balance>(`${scopePath(options.scope, options.id)}/balance`);
      context.output(command).result(balance, () => renderBalance(balance));
    });
  budgets
    .command('remove')
    .description('remove a budget')
    .addOption(scopeOption())
    .addOption(idOption())
    .action(async (options: ScopeOptions, command: Command) => {
      await context.client(command).delete(`${scopePath(options.scope, options.id)}/budget`);
      context.output(command).result({ removed: true }, () => `budget of ${options.scope} ${options.id} removed\n`);
    });
};

function renderBalance(balance: Balance): string {
  return renderFields([
    ['limit', `$${balance.limit_usd}`],
    ['period', balance.period],
    ['spent', `$${balance.spent_usd}`],
    ['reserved', `$${balance.reserved_usd}`],
    ['remaining', `$${balance.remaining_usd}`],
    ['resets', balance.resets_at ?? 'never'],
  ]);
}

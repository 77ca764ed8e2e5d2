import { Command, Option } from 'commander';
import type { CommandGroup } from '../context';
import { usd } from '../output/output';
import { renderTable } from '../output/table';
import { parseTimeArg } from '../time-arg';

const GROUPINGS = ['team', 'project', 'key', 'owner', 'model', 'api', 'day'] as const;
const LABELS: Record<(typeof GROUPINGS)[number], string> = {
  team: 'team_id',
  project: 'project_id',
  key: 'key_id',
  owner: 'owner',
  model: 'model',
  api: 'api',
  day: 'day',
};

interface UsageRow {
  requests: number;
  errors: number;
  prompt_tokens: number;
  cached_tokens: number;
  completion_tokens: number;
  reasoning_tokens: number;
  cost_micro_usd: number;
  [group: string]: string | number | null;
}

interface UsageReport {
  group_by: (typeof GROUPINGS)[number];
  since: string;
  until: string;
  data: UsageRow[];
}

interface UsageOptions {
  groupBy: (typeof GROUPINGS)[number];
  since?: string;
  until?: string;
  team?: string;
  project?: string;
  key?: string;
  owner?: string;
}

const SUMMED = ['requests', 'errors', 'prompt_tokens', 'cached_tokens', 'completion_tokens', 'cost_micro_usd'] as const;

/** `switchyard usage --group-by project --since 7d`: whole UTC days from the daily rollups, with totals. */
export const usageCommands: CommandGroup = (program, context) => {
  program
    .command('usage')
    .description('requests, errors, tokens and cost per team, project, key, key owner, model, API or day')
    .addOption(new Option('--group-by <grouping>', 'what to group by').choices(GROUPINGS).default('project'))
    .option('--since <time>', 'first day: 7d, 2w, or an ISO date (default: 30 days ago)')
    .option('--until <time>', 'last day, included (default: today)')
    .option('--team <id>', 'only this team')
    .option('--project <id>', 'only this project')
    .option('--key <id>', 'only this key')
    .option('--owner <owner>', 'only keys of this owner')
    .action(async (options: UsageOptions, command: Command) => {
      const report = await context.client(command).get<UsageReport>('/admin/usage', {
        group_by: options.groupBy,
        since: options.since === undefined ? undefined : parseTimeArg(options.since, '--since'),
        until: options.until === undefined ? undefined : parseTimeArg(options.until, '--until'),
        team_id: options.team,
        project_id: options.project,
        key_id: options.key,
        owner: options.owner,
      });
      context.output(command).result(report, () => renderUsage(report));
    });
};

function renderUsage(report: UsageReport): string {
  const label = LABELS[report.group_by];
  const total: UsageRow = {
    [label]: 'TOTAL',
    reasoning_tokens: 0,
    ...(Object.fromEntries(SUMMED.map((name) => [name, 0])) as Record<(typeof SUMMED)[number], number>),
  };
  for (const row of report.data) for (const name of SUMMED) total[name] += row[name];
  const title = `usage by ${report.group_by}, ${report.since} to ${report.until} (UTC days)\n`;
  return (
    title +
    renderTable(
      [
        { header: report.group_by.toUpperCase(), value: (row) => row[label] ?? '(none)' },
        { header: 'REQUESTS', value: (row) => row.requests },
        { header: 'ERRORS', value: (row) => row.errors },
        { header: 'PROMPT TOKENS', value: (row) => row.prompt_tokens },
        { header: 'CACHED', value: (row) => row.cached_tokens },
        { header: 'COMPLETION TOKENS', value: (row) => row.completion_tokens },
        { header: 'COST', value: (row) => usd(row.cost_micro_usd) },
      ],
      report.data,
      [total],
    )
  );
}

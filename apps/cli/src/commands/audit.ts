import type { Command } from 'commander';
import { CheckFailed } from '../cli-errors';
import type { CommandGroup } from '../context';
import type { AdminClient } from '../http/admin-client';
import { renderTable } from '../output/table';
import { positiveInteger } from './arguments';

interface ChangeEvent {
  id: number;
  occurred_at: string;
  actor: string;
  action: string;
  target_type: string;
  target_id: string | null;
}

interface CallEvent {
  id: number;
  occurred_at: string;
  actor: string;
  actor_role: string | null;
  outcome: 'allowed' | 'refused';
  method: string;
  route: string;
}

interface Verification {
  ok: boolean;
  count: number;
  first_bad_id: number | null;
}

/** The two hash chains the gateway keeps: admin changes (the audit trail) and admin calls (the access log). */
const CHAINS = {
  audit_events: {
    title: 'audit trail (admin changes)',
    path: '/admin/audit-events',
  },
  access_events: {
    title: 'access log (admin calls)',
    path: '/admin/access-events',
  },
} as const;

type ChainName = keyof typeof CHAINS;
type ChainReport = Verification & { first_bad_event: ChangeEvent | CallEvent | null };

interface PageOptions {
  limit: number;
  cursor?: number;
}

/** `switchyard audit verify` (exit 1 on a broken chain), `audit list` (changes) and `audit calls`. */
export const auditCommands: CommandGroup = (program, context) => {
  const audit = program.command('audit').description('the hash-chained admin audit trail and access log');
  audit
    .command('verify')
    .description('recompute both hash chains; exit 1 and name the first bad event when one is broken')
    .action(async (_options: object, command: Command) => {
      const client = context.client(command);
      const reports = {} as Record<ChainName, ChainReport>;
      for (const name of Object.keys(CHAINS) as ChainName[]) reports[name] = await verifyChain(client, name);
      const ok = Object.values(reports).every((report) => report.ok);
      context
        .output(command)
        .result({ ok, ...reports }, () =>
          (Object.keys(CHAINS) as ChainName[])
            .map((name) => `${CHAINS[name].title}: ${verdict(reports[name])}\n`)
            .join(''),
        );
      if (!ok) throw new CheckFailed();
    });
  pageOptions(
    audit
      .command('list')
      .description('admin changes, newest first')
      .option('--actor <id>', 'who made the change (admin token id)')
      .option('--action <action>', 'e.g. key.revoke, budget.set')
      .option('--target-type <type>', 'team, project, key, admin_key, config')
      .option('--target-id <id>', 'the changed object’s id'),
  ).action(
    async (
      options: PageOptions & { actor?: string; action?: string; targetType?: string; targetId?: string },
      command: Command,
    ) => {
      const page = await context
        .client(command)
        .get<{ data: ChangeEvent[]; next_cursor: number | null }>(CHAINS.audit_events.path, {
          actor: options.actor,
          action: options.action,
          target_type: options.targetType,
          target_id: options.targetId,
          limit: options.limit,
          cursor: options.cursor,
        });
      const output = context.output(command);
      output.result(page, () =>
        renderTable(
          [
            { header: 'ID', value: (event) => event.id },
            { header: 'TIME', value: (event) => event.occurred_at },
            { header: 'ACTOR', value: (event) => event.actor },
            { header: 'ACTION', value: (event) => event.action },
            { header: 'TARGET', value: (event) => `${event.target_type} ${event.target_id ?? ''}`.trim() },
          ],
          page.data,
        ),
      );
      if (page.next_cursor) output.note(`more events: add --cursor ${page.next_cursor}`);
    },
  );
  pageOptions(
    audit
      .command('calls')
      .description('admin calls (reads, exports, refusals), newest first')
      .option('--actor <id>', 'who called (admin token id)')
      .option('--outcome <outcome>', 'allowed or refused')
      .option('--route <route>', 'e.g. /admin/requests/export'),
  ).action(async (options: PageOptions & { actor?: string; outcome?: string; route?: string }, command: Command) => {
    const page = await context
      .client(command)
      .get<{ data: CallEvent[]; next_cursor: number | null }>(CHAINS.access_events.path, {
        actor: options.actor,
        outcome: options.outcome,
        route: options.route,
        limit: options.limit,
        cursor: options.cursor,
      });
    const output = context.output(command);
    output.result(page, () =>
      renderTable(
        [
          { header: 'ID', value: (event) => event.id },
          { header: 'TIME', value: (event) => event.occurred_at },
          { header: 'ACTOR', value: (event) => event.actor },
          { header: 'ROLE', value: (event) => event.actor_role },
          { header: 'OUTCOME', value: (event) => event.outcome },
          { header: 'CALL', value: (event) => `${event.method} ${event.route}` },
        ],
        page.data,
      ),
    );
    if (page.next_cursor) output.note(`more events: add --cursor ${page.next_cursor}`);
  });
};

function pageOptions(command: Command): Command {
  return command
    .option('--limit <n>', 'events to show (default 50)', positiveInteger, 50)
    .option('--cursor <id>', 'continue below this event id', positiveInteger);
}

async function verifyChain(client: AdminClient, name: ChainName): Promise<ChainReport> {
  const verification = await client.get<Verification>(`${CHAINS[name].path}/verify`);
  const id = verification.first_bad_id;
  if (id === null) return { ...verification, first_bad_event: null };
  // Listed newest first below the cursor: the page below id + 1 starts with the event itself, if it is there.
  const page = await client.get<{ data: Array<ChangeEvent | CallEvent> }>(CHAINS[name].path, {
    cursor: id + 1,
    limit: 1,
  });
  return { ...verification, first_bad_event: page.data[0]?.id === id ? page.data[0] : null };
}

function verdict(report: ChainReport): string {
  if (report.ok) return `intact, ${report.count} events verified`;
  const what = report.first_bad_event ? describe(report.first_bad_event) : 'the event is missing';
  return `BROKEN at event #${report.first_bad_id} (${what}): it was changed, inserted or removed after it was written`;
}

function describe(event: ChangeEvent | CallEvent): string {
  return 'action' in event
    ? `${event.action} on ${event.target_type}${event.target_id ? ` ${event.target_id}` : ''} by ${event.actor} at ${event.occurred_at}`
    : `${event.method} ${event.route} by ${event.actor}, ${event.outcome}, at ${event.occurred_at}`;
}

import type { Command } from 'commander';
import { CheckFailed } from '../cli-errors';
import type { CommandGroup } from '../context';
import type { AdminClient } from '../http/admin-client';
import { renderTable } from '../output/table';
import { positiveInteger } from './arguments';

interface AuditEvent {
  id: number;
  occurred_at: string;
  actor: string;
  action: string;
  target_type: string;
  target_id: string | null;
}

interface Verification {
  ok: boolean;
  count: number;
  first_bad_id: number | null;
}

interface ListOptions {
  actor?: string;
  action?: string;
  targetType?: string;
  targetId?: string;
  limit: number;
  cursor?: number;
}

/** `switchyard audit verify` (exit 1 on a broken chain) and `switchyard audit list`. */
export const auditCommands: CommandGroup = (program, context) => {
  const audit = program.command('audit').description('the hash-chained admin audit trail');
  audit
    .command('verify')
    .description('recompute the hash chain; exit 1 and name the first bad event when it is broken')
    .action(async (_options: object, command: Command) => {
      const client = context.client(command);
      const verification = await client.get<Verification>('/admin/audit-events/verify');
      const firstBad = verification.first_bad_id === null ? null : await eventById(client, verification.first_bad_id);
      context
        .output(command)
        .result({ ...verification, first_bad_event: firstBad }, () =>
          verification.ok
            ? `audit chain intact: ${verification.count} events verified\n`
            : `audit chain BROKEN at event #${verification.first_bad_id}${firstBad ? ` (${describe(firstBad)})` : ' (the event is missing)'}: ` +
              `it was changed, inserted or removed after it was written\n`,
        );
      if (!verification.ok) throw new CheckFailed();
    });
  audit
    .command('list')
    .description('admin changes, newest first')
    .option('--actor <id>', 'who made the change (admin key id)')
    .option('--action <action>', 'e.g. key.revoke, budget.set')
    .option('--target-type <type>', 'team, project, key, config')
    .option('--target-id <id>', 'the changed object’s id')
    .option('--limit <n>', 'events to show (default 50)', positiveInteger, 50)
    .option('--cursor <id>', 'continue below this event id', positiveInteger)
    .action(async (options: ListOptions, command: Command) => {
      const page = await context
        .client(command)
        .get<{ data: AuditEvent[]; next_cursor: number | null }>('/admin/audit-events', {
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
    });
};

/** The list is keyset-paginated on the id (newest first, below the cursor): one event is the page below id + 1. */
async function eventById(client: AdminClient, id: number): Promise<AuditEvent | null> {
  const page = await client.get<{ data: AuditEvent[] }>('/admin/audit-events', { cursor: id + 1, limit: 1 });
  return page.data[0]?.id === id ? page.data[0] : null;
}

function describe(event: AuditEvent): string {
  return `${event.action} on ${event.target_type} ${event.target_id ?? ''} by ${event.actor} at ${event.occurred_at}`.replace(
    /\s+/g,
    ' ',
  );
}

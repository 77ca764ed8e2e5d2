import { Command, Option } from 'commander';
import type { CommandGroup } from '../context';
import { renderFields, renderTable } from '../output/table';
import { parseTimeArg } from '../time-arg';
import { positiveInteger } from './arguments';

/** An alert as `GET /admin/alerts` answers it. */
interface AlertView {
  id: string;
  kind: string;
  created_at: string;
  subject: { type: string; id: string };
  details: Record<string, unknown>;
  delivered_at: string | null;
  delivery_failing?: boolean;
  /** One per configured webhook; empty when none is configured. */
  deliveries?: unknown[];
  acknowledged_at: string | null;
  acknowledged_by?: string | null;
}

const KINDS = ['budget_threshold', 'spend_anomaly', 'auth_failures', 'new_ip', 'new_model'];
/** Longest details cell in the table; `--json` has them whole. */
const DETAILS_WIDTH = 60;

/** `switchyard alerts [list] [--kind] [--since] …` and `switchyard alerts ack ID`. */
export const alertsCommands: CommandGroup = (program, context) => {
  const alerts = program.command('alerts').description('budget threshold and anomaly alerts: list, acknowledge');
  alerts
    .command('list', { isDefault: true })
    .description('alerts, newest first')
    .addOption(new Option('--kind <kind>', 'one kind of alert').choices(KINDS))
    .option('--since <time>', 'from: 1h, 7d, or an ISO time')
    .option('--subject <id>', 'alerts about this team, project or key id')
    .option('--unacknowledged', 'only alerts nobody acknowledged yet')
    .option('--limit <n>', 'alerts to show (default 100)', positiveInteger, 100)
    .action(
      async (
        options: { kind?: string; since?: string; subject?: string; unacknowledged?: boolean; limit: number },
        command: Command,
      ) => {
        const list = await context.client(command).get<{ data: AlertView[] }>('/admin/alerts', {
          kind: options.kind,
          since: options.since === undefined ? undefined : parseTimeArg(options.since, '--since'),
          subject_id: options.subject,
          acknowledged: options.unacknowledged ? 'false' : undefined,
          limit: options.limit,
        });
        context.output(command).result(list, () => renderTable(ALERT_COLUMNS, list.data));
      },
    );
  alerts
    .command('ack <id>')
    .description('acknowledge an alert (audited; acknowledging again keeps the first)')
    .action(async (id: string, _options: object, command: Command) => {
      const alert = await context.client(command).post<AlertView>(`/admin/alerts/${encodeURIComponent(id)}/ack`);
      context.output(command).result(alert, () =>
        renderFields([
          ['id', alert.id],
          ['kind', alert.kind],
          ['subject', `${alert.subject.type} ${alert.subject.id}`],
          ['created', alert.created_at],
          ['acknowledged', alert.acknowledged_at],
          ['by', alert.acknowledged_by],
        ]),
      );
    });
};

const ALERT_COLUMNS = [
  { header: 'ID', value: (alert: AlertView) => alert.id },
  { header: 'CREATED', value: (alert: AlertView) => alert.created_at },
  { header: 'KIND', value: (alert: AlertView) => alert.kind },
  { header: 'SUBJECT', value: (alert: AlertView) => `${alert.subject.type} ${alert.subject.id}` },
  { header: 'DETAILS', value: (alert: AlertView) => detailsSummary(alert.details) },
  { header: 'DELIVERED', value: (alert: AlertView) => deliveryState(alert) },
  { header: 'ACKED', value: (alert: AlertView) => (alert.acknowledged_at ? 'yes' : 'no') },
];

/** `threshold_percent=80 spent_usd=8.2 …`, cut to the column's width. */
function detailsSummary(details: Record<string, unknown>): string {
  const text = Object.entries(details)
    .map(([name, value]) => `${name}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
  return text.length > DETAILS_WIDTH ? `${text.slice(0, DETAILS_WIDTH - 1)}…` : text;
}

/** `yes`, `pending`, `failing` (still retried), or nothing when no webhook is configured. */
function deliveryState(alert: AlertView): string {
  if (alert.deliveries?.length === 0) return '';
  if (alert.delivered_at) return 'yes';
  return alert.delivery_failing ? 'failing' : 'pending';
}

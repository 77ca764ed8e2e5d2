import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
// The record's shape is the audit lib's: the admin API answers with it as it is (one type, never a copy).
import type { RequestRecord } from '@app/audit';
import type { CommandGroup } from '../context';
import type { Query } from '../http/admin-client';
import { ExportProgress } from '../output/export-progress';
import { usd } from '../output/output';
import { renderFields, renderTable } from '../output/table';
import { parseTimeArg } from '../time-arg';
import { positiveInteger } from './arguments';

interface RecordPage {
  data: RequestRecord[];
  next_cursor: string | null;
}

interface FilterOptions {
  requestId?: string;
  team?: string;
  project?: string;
  key?: string;
  owner?: string;
  model?: string;
  api?: string;
  /** An exact status (`502`) or a class (`5xx`); the gateway filters by either. */
  status?: string;
  fallback?: 'true' | 'false';
  errorCode?: string;
  since?: string;
  until?: string;
}

const API_PAGE_MAX = 500;

/** `switchyard requests [list] …`, `requests show ID`, `requests export --format csv`. */
export const requestsCommands: CommandGroup = (program, context) => {
  const requests = program.command('requests').description('request evidence records: search, show, export');

  withFilters(requests.command('list', { isDefault: true }).description('search records, newest first'))
    .option('--limit <n>', `records to show (default 50)`, positiveInteger, 50)
    .option('--cursor <cursor>', 'continue from a previous page')
    .action(async (options: FilterOptions & { limit: number; cursor?: string }, command: Command) => {
      const page = await context.client(command).get<RecordPage>('/admin/requests', {
        ...filterQuery(options),
        limit: Math.min(options.limit, API_PAGE_MAX),
        cursor: options.cursor,
      });
      const output = context.output(command);
      output.result(page, () => renderTable(RECORD_COLUMNS, page.data));
      if (page.next_cursor) output.note(`more records: add --cursor ${page.next_cursor}`);
    });

  requests
    .command('show <request-id>')
    .description('the whole evidence record of a request: route attempts, upstream error, masked key')
    .action(async (requestId: string, _options: object, command: Command) => {
      const record = await context
        .client(command)
        .get<RequestRecord>(`/admin/requests/${encodeURIComponent(requestId)}`);
      context.output(command).result(record, () => renderRecord(record));
    });

  withFilters(requests.command('export').description('stream every matching record to stdout, oldest first'))
    .addOption(new Option('--format <format>', 'file format').choices(['csv', 'jsonl']).default('csv'))
    .action(async (options: FilterOptions & { format: 'csv' | 'jsonl' }, command: Command) => {
      const body = await context
        .client(command)
        .stream('/admin/requests/export', { ...filterQuery(options), format: options.format });
      const progress = new ExportProgress(context.io, options.format);
      // Back-pressure all the way: the next batch is read from the gateway only as stdout takes the last one.
      await pipeline(Readable.fromWeb(body as import('node:stream/web').ReadableStream), progress, context.io.stdout, {
        end: false,
      });
      progress.finish();
    });
};

function withFilters(command: Command): Command {
  return command
    .option('--request-id <id>', 'a request id (all records carrying it)')
    .option('--team <id>', 'a team id')
    .option('--project <id>', 'a project id')
    .option('--key <id>', 'a key id')
    .option('--owner <owner>', 'keys of this owner')
    .option('--model <name>', 'requested or served model')
    .option('--api <api>', 'inbound API: chat, embeddings, messages, count_tokens, responses')
    .option('--status <status>', 'an HTTP status (429) or a class (2xx, 3xx, 4xx, 5xx)', statusArg)
    .addOption(
      new Option('--fallback <used>', 'true: served by (or failed on) a fallback model; false: not').choices([
        'true',
        'false',
      ]),
    )
    .option('--error-code <code>', 'an error code, e.g. upstream_timeout')
    .option('--since <time>', 'from: 1h, 7d, or an ISO time')
    .option('--until <time>', 'until (exclusive): 1h, 7d, or an ISO time');
}

/** Checked here too, so a typo is a usage error (exit 2) before any request; the gateway has the same rule. */
function statusArg(value: string): string {
  if (/^[1-5]\d\d$/.test(value)) return value;
  if (/^[2-5]xx$/i.test(value)) return value.toLowerCase();
  throw new InvalidArgumentError('expected a status (429) or a class (2xx, 3xx, 4xx, 5xx)');
}

function filterQuery(options: FilterOptions): Query {
  return {
    request_id: options.requestId,
    team_id: options.team,
    project_id: options.project,
    key_id: options.key,
    owner: options.owner,
    model: options.model,
    api: options.api,
    status: options.status,
    fallback: options.fallback,
    error_code: options.errorCode,
    since: options.since === undefined ? undefined : parseTimeArg(options.since, '--since'),
    until: options.until === undefined ? undefined : parseTimeArg(options.until, '--until'),
  };
}

const RECORD_COLUMNS = [
  { header: 'TIME', value: (record: RequestRecord) => record.created_at },
  { header: 'REQUEST ID', value: (record: RequestRecord) => record.request_id },
  { header: 'STATUS', value: (record: RequestRecord) => record.status },
  { header: 'ERROR', value: (record: RequestRecord) => record.error_code },
  { header: 'MODEL', value: (record: RequestRecord) => record.model_served ?? record.model_requested },
  { header: 'KEY', value: (record: RequestRecord) => record.masked_key },
  { header: 'LATENCY MS', value: (record: RequestRecord) => record.latency_ms },
];

export function renderRecord(record: RequestRecord): string {
  const tokens =
    record.prompt_tokens === null
      ? null
      : `${record.prompt_tokens} prompt (${record.cached_tokens ?? 0} cached) + ${record.completion_tokens ?? 0} completion` +
        ` (${record.reasoning_tokens ?? 0} reasoning), ${record.usage_source ?? 'no'} count`;
  const fields = renderFields([
    ['request id', record.request_id],
    ['time', record.created_at],
    ['status', `${record.status}${record.client_aborted ? ' (client went away)' : ''}`],
    ['error', record.error_code && `${record.error_code} (${record.error_type ?? 'unknown type'})`],
    ['upstream error', record.upstream_message],
    ['key', record.masked_key && `${record.masked_key} (id ${record.key_id}, ${record.environment ?? '-'})`],
    ['team / project', `${record.team_id ?? '-'} / ${record.project_id ?? '-'}`],
    [
      'endpoint',
      `${record.method} ${record.endpoint} (${record.api ?? 'no model call'}${record.stream ? ', stream' : ''})`,
    ],
    [
      'model',
      record.model_served
        ? `${record.model_requested ?? '-'} → ${record.model_served} via ${record.deployment ?? '-'}`
        : `${record.model_requested ?? '-'} (not served)`,
    ],
    ['fallback', record.fallback_reason],
    ['latency', `${record.latency_ms} ms (first byte ${record.ttfb_ms ?? '-'} ms)`],
    ['tokens', tokens],
    ['cost', usd(record.cost_micro_usd) ?? (record.model_served ? 'unpriced' : null)],
    ['client', [record.client_ip, record.user_agent, record.end_user].filter(Boolean).join(' · ')],
    [
      'tags',
      record.tags &&
        Object.entries(record.tags)
          .map(([name, value]) => `${name}=${value}`)
          .join(', '),
    ],
  ]);
  const attempts = renderTable(
    [
      { header: '#', value: (attempt) => attempt.number },
      { header: 'DEPLOYMENT', value: (attempt) => attempt.deployment },
      { header: 'STATUS', value: (attempt) => attempt.status ?? 'no answer' },
      { header: 'ERROR', value: (attempt) => attempt.error_code },
      { header: 'MS', value: (attempt) => attempt.duration_ms },
    ],
    record.attempts.map((attempt, i) => ({ number: i + 1, ...attempt })),
  );
  return `${fields}\nroute attempts\n${attempts}`;
}

import { RECORD_COLUMNS, RequestRecord } from './request-record';

export const EXPORT_FORMATS = {
  csv: { contentType: 'text/csv; charset=utf-8' },
  jsonl: { contentType: 'application/x-ndjson; charset=utf-8' },
} as const;

export type ExportFormat = keyof typeof EXPORT_FORMATS;

/** The export as text chunks, one per batch of records (plus the CSV header), for a streamed response. */
export async function* exportChunks(
  format: ExportFormat,
  batches: AsyncIterable<readonly RequestRecord[]>,
): AsyncGenerator<string> {
  if (format === 'csv') yield `${RECORD_COLUMNS.map(([name]) => name).join(',')}\r\n`;
  for await (const batch of batches) {
    yield batch.map(format === 'csv' ? csvLine : (record) => `${JSON.stringify(record)}\n`).join('');
  }
}

/** RFC 4180; nested values (attempts, tags) as JSON text. */
function csvLine(record: RequestRecord): string {
  return `${RECORD_COLUMNS.map(([name]) => csvCell(record[name])).join(',')}\r\n`;
}

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const text = typeof value === 'string' ? defuseFormula(value) : JSON.stringify(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * User agents, tags and upstream messages are chosen by outsiders; a cell starting with = + - @ would run
 * as a formula when the export is opened in a spreadsheet, so it gets a leading apostrophe (OWASP advice).
 */
function defuseFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

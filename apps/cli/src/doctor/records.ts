import { setTimeout as sleep } from 'node:timers/promises';
import type { AdminClient } from '../http/admin-client';
import type { Evidence } from './doctor-run';

interface RecordView {
  request_id: string;
  status: number;
  client_aborted: boolean;
  error_code: string | null;
  masked_key: string | null;
  model_requested: string | null;
  model_served: string | null;
  api: string | null;
  latency_ms: number;
  upstream_message: string | null;
}

/**
 * The Switchyard's evidence records matching a filter, oldest first, in the fields support asks for.
 * Records are written in batches a moment after the response ends, so this waits (up to `waitMs`) until
 * `expected` are there.
 */
export async function evidenceRecords(
  admin: AdminClient,
  filter: { key_id?: string; request_id?: string },
  expected: number,
  waitMs = 5_000,
): Promise<Evidence[]> {
  const deadline = Date.now() + waitMs;
  let records: RecordView[];
  for (;;) {
    records = (await admin.get<{ data: RecordView[] }>('/admin/requests', filter)).data;
    if (records.length >= expected || Date.now() > deadline) break;
    await sleep(200);
  }
  return records.reverse().map((record) => ({
    request_id: record.request_id,
    status: record.status,
    client_aborted: record.client_aborted,
    error_code: record.error_code,
    masked_key: record.masked_key,
    model: record.model_served ?? record.model_requested,
    api: record.api,
    latency_ms: record.latency_ms,
    upstream_message: record.upstream_message,
  }));
}

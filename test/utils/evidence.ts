import { setTimeout as sleep } from 'node:timers/promises';
import { eventually } from './eventually';
import type { TestGateway } from './test-gateway';

/** Longer than the flush interval the evidence specs configure, so a second record would have landed. */
const SETTLE_MS = 300;

/**
 * Every evidence record of a request id, read through the admin API: waits for the first (records are made
 * when the response ends and written in batches), then lets a few flush intervals pass so that a duplicate
 * would show too.
 */
export async function recordsOf(gateway: TestGateway, requestId: string, timeoutMs = 10_000): Promise<any[]> {
  const read = async () => {
    const found = await gateway.admin('GET', `/admin/requests?request_id=${encodeURIComponent(requestId)}`);
    if (found.status !== 200) throw new Error(`GET /admin/requests failed: ${JSON.stringify(found.body)}`);
    return found.body.data as any[];
  };
  await eventually(read, (records) => records.length > 0, timeoutMs);
  await sleep(SETTLE_MS);
  return read();
}

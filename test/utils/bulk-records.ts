import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';

/**
 * Writes `rows` evidence records of one key straight into `request_records` in a single statement (100k in
 * a few seconds), one millisecond apart and ending now: request ids `bulk-1` (newest) to `bulk-<rows>`
 * (oldest). Long user agents and upstream messages make each CSV row ~840 bytes, as real ones can be.
 */
export async function seedBulkRecords(dataSource: DataSource, rows: number, keyId: string): Promise<void> {
  await dataSource.query(
    `INSERT INTO request_records (created_at, id, request_id, key_id, masked_key, team_id, project_id, environment, method,
       endpoint, api, stream, model_requested, model_served, deployment, attempts, status, client_aborted, latency_ms, ttfb_ms,
       prompt_tokens, cached_tokens, completion_tokens, reasoning_tokens, usage_source, client_ip, user_agent,
       upstream_message, tags)
     SELECT now() - g * interval '1 ms', gen_random_uuid(), 'bulk-' || g, $1, 'sy-test-AbCd…wxyz', $2, $3, 'test', 'POST',
       '/v1/chat/completions', 'chat', g % 2 = 0, 'gpt-test', 'gpt-test', 'openai/gpt-test',
       '[{"deployment":"openai/gpt-test","status":200,"error_code":null,"duration_ms":12}]', 200, false, 120, 40,
       100, 0, 20, 0, 'provider', '10.0.0.1', repeat('Mozilla/5.0 (compatible) ', 8), repeat('the upstream said, ', 12),
       '{"feature":"bulk"}'
     FROM generate_series(1, ${rows}) AS g`,
    [keyId, randomUUID(), randomUUID()],
  );
  // Autovacuum analyses a partition soon after a load like this; the export's plans rely on those statistics.
  await dataSource.query('ANALYZE request_records');
}

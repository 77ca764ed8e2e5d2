import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The inbound API each request was sent to (`chat`, `embeddings`, `messages`, `count_tokens`, `responses`):
 * a column of the request records, NULL for requests that were not model calls, and a dimension of the daily
 * usage rollups, where '' stands for none (a key column cannot be NULL; `model` does the same).
 *
 * On the partitioned `request_records` the column and its check reach every partition, and partitions made
 * later inherit both. The check is added NOT VALID: every existing row holds NULL, which passes it, so
 * proving that would only scan the whole retained evidence under an exclusive lock; new rows are checked.
 */
export class AddInboundApi1764633600000 implements MigrationInterface {
  name = 'AddInboundApi1764633600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE request_records ADD COLUMN api text,
        ADD CONSTRAINT request_records_api_check CHECK (api IN ('chat', 'embeddings', 'messages', 'count_tokens', 'responses')) NOT VALID`);
    await q.query(`ALTER TABLE usage_daily ADD COLUMN api text NOT NULL DEFAULT ''`);
    await q.query(
      `ALTER TABLE usage_daily DROP CONSTRAINT usage_daily_pkey, ADD PRIMARY KEY (day, key_id, model, api)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    // Folds the per-API rows of each day, key and model back into one before the old key returns.
    await q.query(`ALTER TABLE usage_daily DROP CONSTRAINT usage_daily_pkey`);
    await q.query(`
      WITH split AS (DELETE FROM usage_daily RETURNING *)
      INSERT INTO usage_daily (day, key_id, model, team_id, project_id, requests, errors, prompt_tokens,
                               cached_tokens, completion_tokens, reasoning_tokens, cost_micro_usd, api)
      SELECT day, key_id, model, team_id, project_id, sum(requests), sum(errors), sum(prompt_tokens),
             sum(cached_tokens), sum(completion_tokens), sum(reasoning_tokens), sum(cost_micro_usd), ''
      FROM split GROUP BY day, key_id, model, team_id, project_id`);
    await q.query(`ALTER TABLE usage_daily DROP COLUMN api, ADD PRIMARY KEY (day, key_id, model)`);
    await q.query(`ALTER TABLE request_records DROP COLUMN api`);
  }
}

import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Idempotency-Key requests (docs/idempotency.md). One row per gateway key and client-chosen key: the claim of
 * the first request (`in_progress`, held by `claim_token` until `lease_expires_at`, renewed while it runs),
 * then its stored answer (`completed`: status, the headers a client relies on, the body bytes as sent) or
 * the fact that it was answered but too large to keep (`not_stored`). `request_hash` is the SHA-256 of the
 * method, path and raw body — never the body itself, and never the gateway key's secret. Rows live until
 * `expires_at` (IDEMPOTENCY_TTL_HOURS after the claim) and are purged in batches by that index.
 *
 * The evidence record gains `idempotent_replay`: the answer was a stored one (no model call, cost 0). The
 * default fills existing rows without rewriting the partitioned table; the column stays nullable so that a
 * record spilled to disk by an older version during an outage can still be written afterwards.
 */
export class CreateIdempotencyRecords1764979200002 implements MigrationInterface {
  name = 'CreateIdempotencyRecords1764979200002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE idempotency_records (
        key_id uuid NOT NULL REFERENCES api_keys(id) ON DELETE CASCADE,
        idempotency_key text NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 255),
        request_hash bytea NOT NULL,
        state text NOT NULL CHECK (state IN ('in_progress', 'completed', 'not_stored')),
        claim_token uuid NOT NULL,
        lease_expires_at timestamptz,
        request_id text NOT NULL,
        response_status smallint,
        response_headers jsonb,
        response_body bytea,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (key_id, idempotency_key)
      )`);
    await q.query(`CREATE INDEX idempotency_records_expires_at_idx ON idempotency_records (expires_at)`);
    await q.query(`ALTER TABLE request_records ADD COLUMN idempotent_replay boolean DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE request_records DROP COLUMN idempotent_replay`);
    await q.query(`DROP TABLE idempotency_records`);
  }
}

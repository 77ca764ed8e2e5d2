import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Request evidence, daily usage rollups and the admin audit trail.
 *
 * `request_records` is append-only and partitioned by day on `created_at` (the request's arrival, to the
 * microsecond); partitions are created ahead and dropped after the retention period by the audit lib's
 * maintenance job, never here. Its key is (created_at, id): `id` is made by the gateway when the record is
 * made, so a batch written twice (the commit landed but its acknowledgement was lost) conflicts and is
 * skipped, while two requests that reuse a caller's `x-request-id` still get a record each.
 * Per-request token counts are `integer` (one request cannot reach 2^31 tokens); totals are `bigint`.
 */
export class CreateEvidenceAndAudit1764460800000 implements MigrationInterface {
  name = 'CreateEvidenceAndAudit1764460800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION reject_modification() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);

    await q.query(`
      CREATE TABLE request_records (
        created_at timestamptz NOT NULL,
        id uuid NOT NULL,
        request_id text NOT NULL,
        key_id uuid,
        masked_key text,
        team_id uuid,
        project_id uuid,
        environment text,
        method text NOT NULL,
        endpoint text NOT NULL,
        stream boolean NOT NULL,
        model_requested text,
        model_served text,
        deployment text,
        attempts jsonb NOT NULL,
        fallback_reason text,
        status smallint NOT NULL,
        client_aborted boolean NOT NULL,
        error_type text,
        error_code text,
        upstream_message text,
        latency_ms integer NOT NULL,
        ttfb_ms integer,
        prompt_tokens integer,
        cached_tokens integer,
        completion_tokens integer,
        reasoning_tokens integer,
        usage_source text CHECK (usage_source IN ('provider', 'estimated')),
        cost_micro_usd bigint,
        client_ip inet,
        user_agent text,
        end_user text,
        tags jsonb,
        PRIMARY KEY (created_at, id)
      ) PARTITION BY RANGE (created_at)`);
    await q.query(`CREATE INDEX request_records_request_id_idx ON request_records (request_id)`);
    await q.query(`CREATE INDEX request_records_key_idx ON request_records (key_id, created_at, id)`);
    await q.query(`CREATE INDEX request_records_project_idx ON request_records (project_id, created_at, id)`);
    await q.query(`CREATE INDEX request_records_team_idx ON request_records (team_id, created_at, id)`);
    await q.query(`
      CREATE TRIGGER request_records_append_only BEFORE UPDATE OR DELETE ON request_records
      FOR EACH ROW EXECUTE FUNCTION reject_modification()`);

    await q.query(`
      CREATE TABLE usage_daily (
        day date NOT NULL,
        key_id uuid NOT NULL,
        model text NOT NULL,
        team_id uuid NOT NULL,
        project_id uuid NOT NULL,
        requests bigint NOT NULL,
        errors bigint NOT NULL,
        prompt_tokens bigint NOT NULL,
        cached_tokens bigint NOT NULL,
        completion_tokens bigint NOT NULL,
        reasoning_tokens bigint NOT NULL,
        cost_micro_usd bigint NOT NULL,
        PRIMARY KEY (day, key_id, model)
      )`);
    await q.query(`CREATE INDEX usage_daily_team_idx ON usage_daily (team_id, day)`);
    await q.query(`CREATE INDEX usage_daily_project_idx ON usage_daily (project_id, day)`);

    await q.query(`
      CREATE TABLE audit_events (
        id bigint PRIMARY KEY,
        occurred_at timestamptz NOT NULL,
        actor text NOT NULL,
        action text NOT NULL,
        target_type text NOT NULL,
        target_id text,
        before jsonb,
        after jsonb,
        prev_hash char(64) NOT NULL,
        hash char(64) NOT NULL UNIQUE
      )`);
    await q.query(`CREATE INDEX audit_events_target_idx ON audit_events (target_type, target_id)`);
    await q.query(`
      CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
      FOR EACH ROW EXECUTE FUNCTION reject_modification()`);
    await q.query(`
      CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
      FOR EACH STATEMENT EXECUTE FUNCTION reject_modification()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_events`);
    await q.query(`DROP TABLE usage_daily`);
    await q.query(`DROP TABLE request_records`);
    await q.query(`DROP FUNCTION reject_modification()`);
  }
}

import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Suspension of keys and projects (by the anomaly detectors, lifted by an admin's resume), the per-project
 * `on_anomaly` action, and the small tables the detectors keep instead of reading the evidence records:
 *
 * - `key_usage_buckets`: requests and cost per key, model and time bucket (at most a minute wide), written
 *   by each instance in batches. The last window is a range scan of the `bucket_start` index; a key's
 *   baseline (7 days) is a range scan of its primary key, a few thousand rows at most.
 * - `key_sightings`: the IPs and models each key has been used from or for, to tell a new one.
 * - `auth_failure_windows`: 401s per presented key prefix (never the secret) and fixed window.
 *
 * Adding nullable columns, and a NOT NULL column with a constant default, rewrites no existing row.
 */
export class AddSuspensionAndAnomalyRollups1764979200001 implements MigrationInterface {
  name = 'AddSuspensionAndAnomalyRollups1764979200001';

  async up(q: QueryRunner): Promise<void> {
    for (const table of ['api_keys', 'projects']) {
      await q.query(
        `ALTER TABLE ${table} ADD COLUMN suspended_at timestamptz, ADD COLUMN suspended_reason text,
           ADD COLUMN suspended_by text, ADD COLUMN resumed_at timestamptz`,
      );
    }
    await q.query(
      `ALTER TABLE projects ADD COLUMN on_anomaly text NOT NULL DEFAULT 'none'
         CONSTRAINT projects_on_anomaly_check CHECK (on_anomaly IN ('none', 'suspend'))`,
    );
    await q.query(`
      CREATE TABLE key_usage_buckets (
        key_id uuid NOT NULL,
        bucket_start timestamptz NOT NULL,
        model text NOT NULL,
        project_id uuid NOT NULL,
        requests integer NOT NULL,
        cost_micro_usd bigint NOT NULL,
        PRIMARY KEY (key_id, bucket_start, model)
      )`);
    await q.query(`CREATE INDEX key_usage_buckets_bucket_start_idx ON key_usage_buckets (bucket_start)`);
    await q.query(`CREATE INDEX key_usage_buckets_project_idx ON key_usage_buckets (project_id, bucket_start)`);
    await q.query(`
      CREATE TABLE key_sightings (
        key_id uuid NOT NULL,
        kind text NOT NULL CONSTRAINT key_sightings_kind_check CHECK (kind IN ('ip', 'model')),
        value text NOT NULL,
        first_seen_at timestamptz NOT NULL,
        PRIMARY KEY (key_id, kind, value)
      )`);
    await q.query(`
      CREATE TABLE auth_failure_windows (
        key_prefix text NOT NULL,
        window_start timestamptz NOT NULL,
        failures integer NOT NULL,
        PRIMARY KEY (key_prefix, window_start)
      )`);
    await q.query(`CREATE INDEX auth_failure_windows_window_start_idx ON auth_failure_windows (window_start)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE auth_failure_windows`);
    await q.query(`DROP TABLE key_sightings`);
    await q.query(`DROP TABLE key_usage_buckets`);
    await q.query(`ALTER TABLE projects DROP COLUMN on_anomaly`);
    for (const table of ['projects', 'api_keys']) {
      await q.query(
        `ALTER TABLE ${table} DROP COLUMN resumed_at, DROP COLUMN suspended_by, DROP COLUMN suspended_reason,
           DROP COLUMN suspended_at`,
      );
    }
  }
}

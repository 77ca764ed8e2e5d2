import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Admin roles, key owners and the admin access log.
 *
 * - `admin_keys` gain a role (`owner`, `team_admin`, `auditor`) and the teams of a team admin; keys that
 *   exist (the first-run key) stay owners.
 * - Gateway keys gain an optional `owner` (a person or service), which the request records and the daily
 *   rollups carry, so usage can be grouped by it. Nullable without a default: no existing row is rewritten,
 *   on the partitioned `request_records` either.
 * - `audit_events` gain the acting admin's role, signed into the hash when present (events without one hash
 *   as before, so the existing chain still verifies).
 * - `admin_access_events`: one event per admin API call, hash-chained and append-only like the audit trail.
 */
export class AddAdminRoles1764806400000 implements MigrationInterface {
  name = 'AddAdminRoles1764806400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE admin_keys
        ADD COLUMN role text NOT NULL DEFAULT 'owner' CHECK (role IN ('owner', 'team_admin', 'auditor')),
        ADD COLUMN team_ids uuid[] NOT NULL DEFAULT '{}',
        ADD CONSTRAINT admin_keys_team_scope_check CHECK ((role = 'team_admin') = (cardinality(team_ids) > 0))`);
    await q.query(`ALTER TABLE api_keys ADD COLUMN owner text`);
    await q.query(`ALTER TABLE request_records ADD COLUMN owner text`);
    await q.query(`ALTER TABLE usage_daily ADD COLUMN owner text`);
    // Kept by `down` (see there), hence IF NOT EXISTS.
    await q.query(`ALTER TABLE audit_events ADD COLUMN IF NOT EXISTS actor_role text`);

    await q.query(`
      CREATE TABLE admin_access_events (
        id bigint PRIMARY KEY,
        occurred_at timestamptz NOT NULL,
        actor text NOT NULL,
        actor_role text,
        outcome text NOT NULL CHECK (outcome IN ('allowed', 'refused')),
        request_id text NOT NULL,
        method text NOT NULL,
        route text NOT NULL,
        params jsonb,
        query jsonb,
        prev_hash char(64) NOT NULL,
        hash char(64) NOT NULL UNIQUE
      )`);
    await q.query(`CREATE INDEX admin_access_events_actor_idx ON admin_access_events (actor, id)`);
    await q.query(`
      CREATE TRIGGER admin_access_events_append_only BEFORE UPDATE OR DELETE ON admin_access_events
      FOR EACH ROW EXECUTE FUNCTION reject_modification()`);
    await q.query(`
      CREATE TRIGGER admin_access_events_no_truncate BEFORE TRUNCATE ON admin_access_events
      FOR EACH STATEMENT EXECUTE FUNCTION reject_modification()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE admin_access_events`);
    await q.query(`ALTER TABLE usage_daily DROP COLUMN owner`);
    await q.query(`ALTER TABLE request_records DROP COLUMN owner`);
    await q.query(`ALTER TABLE api_keys DROP COLUMN owner`);
    // Without roles every admin key is an owner: a team admin's or an auditor's token must not become one.
    await q.query(`UPDATE admin_keys SET revoked_at = now() WHERE role <> 'owner' AND revoked_at IS NULL`);
    await q.query(
      `ALTER TABLE admin_keys DROP CONSTRAINT admin_keys_team_scope_check, DROP COLUMN team_ids, DROP COLUMN role`,
    );
    // audit_events.actor_role stays: roles are signed into their events' hashes. Kept, the chain verifies
    // again once this migration is re-applied; dropped, it never would. Code without roles ignores it.
  }
}

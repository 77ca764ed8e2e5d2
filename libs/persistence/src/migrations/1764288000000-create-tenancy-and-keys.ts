import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateTenancyAndKeys1764288000000 implements MigrationInterface {
  name = 'CreateTenancyAndKeys1764288000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE teams (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE projects (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        team_id uuid NOT NULL REFERENCES teams(id),
        name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (team_id, name)
      )`);
    await q.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        project_id uuid NOT NULL REFERENCES projects(id),
        name text NOT NULL,
        environment text NOT NULL CHECK (environment IN ('test', 'staging', 'production')),
        key_hash char(64) NOT NULL UNIQUE,
        key_prefix text NOT NULL,
        key_last4 char(4) NOT NULL,
        models text[],
        expires_at timestamptz,
        revoked_at timestamptz,
        last_used_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX api_keys_project_id_idx ON api_keys (project_id)`);
    await q.query(`
      CREATE TABLE admin_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        key_hash char(64) NOT NULL UNIQUE,
        key_prefix text NOT NULL,
        key_last4 char(4) NOT NULL,
        revoked_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE admin_keys`);
    await q.query(`DROP TABLE api_keys`);
    await q.query(`DROP TABLE projects`);
    await q.query(`DROP TABLE teams`);
  }
}

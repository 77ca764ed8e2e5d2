import { MigrationInterface, QueryRunner } from 'typeorm';

/** Model and tier allow-lists on projects and keys, and the per-key IP allow-list. NULL means no limit. */
export class AddAccessLists1764547200000 implements MigrationInterface {
  name = 'AddAccessLists1764547200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE api_keys ADD COLUMN tiers text[], ADD COLUMN allowed_ips text[]`);
    await q.query(`ALTER TABLE projects ADD COLUMN models text[], ADD COLUMN tiers text[]`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE projects DROP COLUMN tiers, DROP COLUMN models`);
    await q.query(`ALTER TABLE api_keys DROP COLUMN allowed_ips, DROP COLUMN tiers`);
  }
}

import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the serving provider could not be given (parameters, tools, content the translation or the adapter left
 * out, each named): a JSON array on the request record, NULL when nothing was dropped. Adding a nullable
 * column without a default touches no existing row of the partitioned table.
 */
export class AddDroppedToRecords1764892800000 implements MigrationInterface {
  name = 'AddDroppedToRecords1764892800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE request_records ADD COLUMN dropped jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE request_records DROP COLUMN dropped`);
  }
}

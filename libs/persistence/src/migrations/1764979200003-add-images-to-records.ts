import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Image generation (`POST /v1/images/generations`) as an inbound API of its own, `images`, and what its
 * evidence keeps: how many images the upstream returned and the size asked for, never the images, their
 * URLs or the prompt. The daily rollups count images too, so usage reports show them next to the cost.
 *
 * Additive: two nullable columns on the partitioned records (no existing row is rewritten), a rollup column
 * whose default fills existing rows, and the API check widened to the new name. The old check is replaced
 * NOT VALID, as 1764633600000 added it: every stored row passed the narrower check already.
 */
export class AddImagesToRecords1764979200003 implements MigrationInterface {
  name = 'AddImagesToRecords1764979200003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE request_records ADD COLUMN images integer, ADD COLUMN image_size text,
        DROP CONSTRAINT request_records_api_check,
        ADD CONSTRAINT request_records_api_check
          CHECK (api IN ('chat', 'embeddings', 'messages', 'count_tokens', 'responses', 'images')) NOT VALID`);
    await q.query(`ALTER TABLE usage_daily ADD COLUMN images bigint NOT NULL DEFAULT 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE usage_daily DROP COLUMN images`);
    // Image requests' records keep their rows; only the API name they were filed under goes.
    await q.query(`UPDATE request_records SET api = NULL WHERE api = 'images'`);
    await q.query(`
      ALTER TABLE request_records DROP COLUMN images, DROP COLUMN image_size,
        DROP CONSTRAINT request_records_api_check,
        ADD CONSTRAINT request_records_api_check
          CHECK (api IN ('chat', 'embeddings', 'messages', 'count_tokens', 'responses')) NOT VALID`);
  }
}

import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Usage the gateway had to correct. `request_records.usage_source` gains `clamped`: the upstream's report
 * had a count that could not be right (negative, fractional, not a number, missing, absurd) and the record
 * keeps it corrected. `ledger_entries.cost_status` gains `usage_invalid` (such a report, charged at the
 * reservation) and `over_reservation` (a valid report priced above the reservation, charged in full).
 *
 * The per-request token counts of `request_records` stay `integer`: the usage check caps every count at 10
 * million tokens, 200 times inside 2^31, and widening them would rewrite every retained partition under an
 * exclusive lock at start-up. The ledger's and the rollups' token counts and every money column are bigint.
 *
 * Both checks are replaced NOT VALID, in the statement that drops the old one: every existing row holds a
 * value of the old, narrower set, so proving them would only scan the tables under lock; new rows are checked.
 */
export class AddUsageCorrections1764720000000 implements MigrationInterface {
  name = 'AddUsageCorrections1764720000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE request_records DROP CONSTRAINT request_records_usage_source_check,
        ADD CONSTRAINT request_records_usage_source_check
          CHECK (usage_source IN ('provider', 'clamped', 'estimated')) NOT VALID`);
    await q.query(`
      ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_cost_status_check,
        ADD CONSTRAINT ledger_entries_cost_status_check
          CHECK (cost_status IN ('priced', 'over_reservation', 'unpriced', 'usage_unknown', 'usage_invalid')) NOT VALID`);
  }

  async down(q: QueryRunner): Promise<void> {
    // Both new statuses fold into the old ones that charged the same way; evidence is append-only and keeps
    // its `clamped` rows, which the restored check (NOT VALID) leaves alone.
    await q.query(`
      UPDATE ledger_entries SET cost_status = CASE cost_status WHEN 'usage_invalid' THEN 'usage_unknown' ELSE 'priced' END
       WHERE cost_status IN ('usage_invalid', 'over_reservation')`);
    await q.query(`
      ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_cost_status_check,
        ADD CONSTRAINT ledger_entries_cost_status_check CHECK (cost_status IN ('priced', 'unpriced', 'usage_unknown'))`);
    await q.query(`
      ALTER TABLE request_records DROP CONSTRAINT request_records_usage_source_check,
        ADD CONSTRAINT request_records_usage_source_check CHECK (usage_source IN ('provider', 'estimated')) NOT VALID`);
  }
}

import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Budgets (one per team, project or key), the headroom instances lease from them, the ledger of settled
 * request costs, and rate-limit overrides. Money is bigint micro-USD.
 */
export class CreateBudgetsAndRateLimits1764547200001 implements MigrationInterface {
  name = 'CreateBudgetsAndRateLimits1764547200001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE budgets (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        scope text NOT NULL CHECK (scope IN ('team', 'project', 'key')),
        scope_id uuid NOT NULL,
        limit_micros bigint NOT NULL CHECK (limit_micros >= 0),
        period text NOT NULL CHECK (period IN ('total', 'daily', 'weekly', 'monthly')),
        period_start timestamptz NOT NULL,
        spent_micros bigint NOT NULL DEFAULT 0,
        reserved_micros bigint NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (scope, scope_id)
      )`);
    await q.query(`
      CREATE TABLE budget_leases (
        budget_id uuid NOT NULL REFERENCES budgets(id) ON DELETE CASCADE,
        holder text NOT NULL,
        period_start timestamptz NOT NULL,
        amount_micros bigint NOT NULL,
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (budget_id, holder, period_start)
      )`);
    await q.query(`CREATE INDEX budget_leases_expires_at_idx ON budget_leases (expires_at)`);
    await q.query(`
      CREATE TABLE ledger_entries (
        id text PRIMARY KEY,
        request_id text NOT NULL,
        team_id uuid NOT NULL,
        project_id uuid NOT NULL,
        key_id uuid NOT NULL,
        model_served text,
        deployment text,
        prompt_tokens bigint,
        cached_prompt_tokens bigint,
        completion_tokens bigint,
        cost_micros bigint,
        cost_status text NOT NULL CHECK (cost_status IN ('priced', 'unpriced', 'usage_unknown')),
        admitted_at timestamptz NOT NULL,
        settled_at timestamptz NOT NULL
      )`);
    for (const scope of ['team', 'project', 'key']) {
      await q.query(
        `CREATE INDEX ledger_entries_${scope}_id_admitted_at_idx ON ledger_entries (${scope}_id, admitted_at)`,
      );
    }
    await q.query(`
      CREATE TABLE rate_limits (
        scope text NOT NULL CHECK (scope IN ('team', 'project', 'key')),
        scope_id uuid NOT NULL,
        rpm integer CHECK (rpm >= 0),
        tpm integer CHECK (tpm >= 0),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (scope, scope_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE rate_limits`);
    await q.query(`DROP TABLE ledger_entries`);
    await q.query(`DROP TABLE budget_leases`);
    await q.query(`DROP TABLE budgets`);
  }
}

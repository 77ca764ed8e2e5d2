import type { ServerResponse } from 'node:http';
import OpenAI from 'openai';
import { DataSource } from 'typeorm';
import { Clock } from '@app/common';
import { QuotaStats } from '@app/quota';
import type { RecordedRequest } from '../fakes/fake-http';
import { FakeOpenAiServer } from '../fakes/fake-openai.server';
import { eventually } from '../utils/eventually';
import { wireCheck } from '../utils/openai-wire';
import { sampleValue } from '../utils/prometheus';
import { startTestGateway, TestGateway } from '../utils/test-gateway';

const PROVIDER_KEY = 'sk-budget-provider';
// $2 in, $8 out per million tokens: 2 and 8 micro-USD per token.
const PRICING = { input_per_mtok: 2, output_per_mtok: 8 };
const MESSAGES = [{ role: 'user', content: 'hi' }];
const MAX_TOKENS = 100;
/**
 * What one request reserves: its prompt bounded by bytes (2) plus framing (4 per message + 3) = 9 tokens
 * at $2/Mtok, plus max_tokens at $8/Mtok, rounded up: 18 + 800 micro-USD.
 */
const RESERVATION_MICROS = 818;

/** A fake upstream that holds every request until the test opens the gate. */
class GatedOpenAiServer extends FakeOpenAiServer {
  private opened = false;
  private readonly waiting: Array<() => void> = [];

  open(): void {
    this.opened = true;
    this.waiting.splice(0).forEach((release) => release());
  }

  protected override async handle(request: RecordedRequest, res: ServerResponse): Promise<void> {
    if (!this.opened) await new Promise<void>((resolve) => this.waiting.push(resolve));
    return super.handle(request, res);
  }
}

/** The fake's own usage for our fixed prompt, priced as the gateway must. */
function costOf(usage: { prompt_tokens: number; completion_tokens: number }): number {
  return Math.ceil((usage.prompt_tokens * 2_000_000 + usage.completion_tokens * 8_000_000) / 1_000_000);
}

// Every /v1 body received (402 and 429 included) is checked against OpenAI's published OpenAPI document.
const wire = wireCheck();

describe('budgets: reserve → settle across two gateway instances', () => {
  let fake: FakeOpenAiServer;
  let gated: GatedOpenAiServer;
  let a: TestGateway;
  let b: TestGateway;

  beforeAll(async () => {
    fake = new FakeOpenAiServer(PROVIDER_KEY);
    gated = new GatedOpenAiServer(PROVIDER_KEY);
    const [upstream, gatedUpstream] = await Promise.all([fake.start(), gated.start()]);
    const catalog = {
      providers: [
        { id: 'openai', type: 'openai', base_url: `${upstream}/v1`, api_key: PROVIDER_KEY },
        { id: 'gated', type: 'openai', base_url: `${gatedUpstream}/v1`, api_key: PROVIDER_KEY },
      ],
      models: [
        { name: 'gpt-test', pricing: PRICING, deployments: [{ provider: 'openai', model: 'gpt-test' }] },
        { name: 'gpt-gated', pricing: PRICING, deployments: [{ provider: 'gated', model: 'gpt-gated' }] },
        { name: 'free-model', deployments: [{ provider: 'openai', model: 'free' }] },
      ],
    };
    const env = { QUOTA_FLUSH_INTERVAL_MS: '100', REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' };
    // Two real, separate Nest applications in this process, sharing one Postgres database (and Redis).
    a = await startTestGateway({ catalog, env });
    b = await startTestGateway({ catalog, env, database: a.database });
  });

  afterAll(async () => {
    gated?.open();
    await b?.close();
    await a?.close();
    await Promise.all([fake?.stop(), gated?.stop()]);
  });

  const chat = (gateway: TestGateway, key: string, model = 'gpt-test') =>
    wire.fetch(`${gateway.baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: MESSAGES, max_tokens: MAX_TOKENS }),
    });
  const balance = async (path: string) => (await a.admin('GET', `${path}/balance`)).body;
  const settledBalance = (path: string) =>
    eventually(
      () => balance(path),
      (body) => body.reserved_usd === 0,
    );
  const ledgerSum = async (column: string, id: string) => {
    const [row] = await a.gateway.app
      .get(DataSource)
      .query(
        `SELECT COALESCE(SUM(cost_micros), 0)::bigint AS sum, COUNT(*)::int AS count FROM ledger_entries WHERE ${column} = $1`,
        [id],
      );
    return { micros: Number(row.sum), count: row.count };
  };

  it('admits at most what fits when 200 requests hit both instances at once', async () => {
    const { key, projectId } = await a.createKey();
    const limitUsd = (10 * RESERVATION_MICROS) / 1e6;
    expect(
      (await a.admin('PUT', `/admin/projects/${projectId}/budget`, { limit_usd: limitUsd, period: 'monthly' })).status,
    ).toBe(200);

    const statuses: number[] = [];
    const bodies: any[] = [];
    const all = Array.from({ length: 200 }, async (_, i) => {
      const response = await chat(i % 2 === 0 ? a : b, key, 'gpt-gated');
      statuses.push(response.status);
      bodies.push({
        status: response.status,
        body: await response.json(),
        shouldRetry: response.headers.get('x-should-retry'),
      });
    });
    // Every request is decided while the admitted ones are still held upstream, so none frees budget early.
    await eventually(
      async () => statuses.length + gated.calls('/chat/completions').length,
      (decided) => decided === 200,
    );
    const admittedWhileHeld = gated.calls('/chat/completions').length;
    gated.open();
    await Promise.all(all);

    expect(admittedWhileHeld).toBe(10);
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    const refused = bodies.filter((r) => r.status === 402);
    expect(refused).toHaveLength(190);
    expect(refused[0].shouldRetry).toBe('false');
    expect(refused[0].body.error).toMatchObject({ type: 'insufficient_quota', code: 'insufficient_quota' });
    expect(refused[0].body.error.message).toMatch(
      /project's monthly budget of \$0\.00818 .* resets at \d{4}-\d\d-01T00:00:00\.000Z/,
    );

    const settled = await settledBalance(`/admin/projects/${projectId}`);
    expect(settled.reserved_usd).toBe(0);
    expect(settled.spent_usd).toBeLessThanOrEqual(limitUsd);
    const ledger = await ledgerSum('project_id', projectId);
    expect(ledger.count).toBe(10);
    expect(ledger.micros / 1e6).toBe(settled.spent_usd);
  });

  it('returns the unused part of each reservation, so the ledger and the balance hold actual costs', async () => {
    const { key, projectId } = await a.createKey();
    // Room for two reservations: the third and later requests fit only because settlement gave change back.
    await a.admin('PUT', `/admin/projects/${projectId}/budget`, {
      limit_usd: (2 * RESERVATION_MICROS) / 1e6,
      period: 'total',
    });
    const client = (gateway: TestGateway) =>
      new OpenAI({ apiKey: key, baseURL: `${gateway.baseUrl}/v1`, maxRetries: 0, fetch: wire.fetch });
    let expected = 0;
    for (let i = 0; i < 4; i++) {
      const completion = await client(i % 2 ? b : a).chat.completions.create({
        model: 'gpt-test',
        messages: MESSAGES as any,
        max_tokens: MAX_TOKENS,
      });
      expected += costOf(completion.usage!);
    }
    const stream = await client(a).chat.completions.create({
      model: 'gpt-test',
      messages: MESSAGES as any,
      max_tokens: MAX_TOKENS,
      stream: true,
      stream_options: { include_usage: true },
    });
    for await (const chunk of stream) if (chunk.usage) expected += costOf(chunk.usage);

    const settled = await settledBalance(`/admin/projects/${projectId}`);
    expect(expected).toBeLessThan(2 * RESERVATION_MICROS);
    expect(settled).toEqual({
      limit_usd: 0.001636,
      spent_usd: expected / 1e6,
      reserved_usd: 0,
      remaining_usd: (2 * RESERVATION_MICROS - expected) / 1e6,
      period: 'total',
      resets_at: null,
    });
    expect(await ledgerSum('project_id', projectId)).toEqual({ micros: expected, count: 5 });
    // The fullest budget's share, for the "budget above 80 %" alert: at least this project's (others may be fuller).
    const metrics = await (await fetch(`${a.baseUrl}/metrics`)).text();
    expect(sampleValue(metrics, 'switchyard_budget_fullest_ratio')).toBeGreaterThanOrEqual(
      expected / (2 * RESERVATION_MICROS) - 1e-9,
    );
  });

  it('answers an exhausted budget with a 402 the official SDK does not retry', async () => {
    const { key, teamId } = await a.createKey();
    await a.admin('PUT', `/admin/teams/${teamId}/budget`, { limit_usd: 0.0001, period: 'daily' });
    const calls = fake.calls('/chat/completions').length;
    const client = new OpenAI({ apiKey: key, baseURL: `${a.baseUrl}/v1`, fetch: wire.fetch }); // default retries on
    const failure = await client.chat.completions
      .create({ model: 'gpt-test', messages: MESSAGES as any, max_tokens: MAX_TOKENS })
      .catch((e) => e);
    expect(failure).toBeInstanceOf(OpenAI.APIError);
    expect(failure).toMatchObject({ status: 402, code: 'insufficient_quota', type: 'insufficient_quota' });
    expect(failure.message).toContain("team's daily budget of $0.0001");
    expect(failure.headers.get('x-should-retry')).toBe('false');
    expect(fake.calls('/chat/completions').length).toBe(calls);
  });

  it('admits again in the next period: a daily budget spent yesterday has room today', async () => {
    const { key, id } = await a.createKey();
    const clock = a.gateway.app.get(Clock);
    const today = new Date();
    const yesterday = new Date(today.getTime() - 86_400_000);
    const now = jest.spyOn(clock, 'now').mockReturnValue(yesterday);
    try {
      await a.admin('PUT', `/admin/keys/${id}/budget`, { limit_usd: RESERVATION_MICROS / 1e6, period: 'daily' });
      expect((await chat(a, key)).status).toBe(200);
      const exhausted = await chat(a, key);
      expect(exhausted.status).toBe(402);
      expect(((await exhausted.json()) as any).error.message).toContain(
        `resets at ${new Date(Date.UTC(yesterday.getUTCFullYear(), yesterday.getUTCMonth(), yesterday.getUTCDate() + 1)).toISOString()}`,
      );
      now.mockReturnValue(today);
      expect((await chat(a, key)).status).toBe(200);
    } finally {
      now.mockRestore();
    }
    const settled = await settledBalance(`/admin/keys/${id}`);
    expect(settled.resets_at).toBe(
      new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() + 1)).toISOString(),
    );
    expect(settled.spent_usd).toBeGreaterThan(0);
    // Yesterday's request stays in the ledger, but not in today's balance.
    expect((await ledgerSum('key_id', id)).micros / 1e6).toBeGreaterThan(settled.spent_usd);
  });

  it('checks budgets from leased headroom: no database round trip per request while headroom is ample', async () => {
    const { key, id, projectId, teamId } = await a.createKey();
    for (const path of [`/admin/keys/${id}`, `/admin/projects/${projectId}`, `/admin/teams/${teamId}`]) {
      await a.admin('PUT', `${path}/budget`, { limit_usd: 100, period: 'monthly' });
    }
    const stats = a.gateway.app.get(QuotaStats);
    const before = { ...stats };
    for (let round = 0; round < 10; round++) {
      const responses = await Promise.all(Array.from({ length: 10 }, () => chat(a, key)));
      expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
    }
    const leaseQueries = stats.leaseQueries - before.leaseQueries;
    const policyLookups = stats.policyLookups - before.policyLookups;
    // One lease per level (key, project, team) covers all 100 requests; settings are read once (cached).
    // A slow machine may need one more statement to re-confirm a lease; per-request it would be 100+.
    expect(leaseQueries).toBeGreaterThanOrEqual(3);
    expect(leaseQueries).toBeLessThanOrEqual(6);
    expect(policyLookups).toBeLessThanOrEqual(2);
    expect(stats.budgetChecksFromLease - before.budgetChecksFromLease).toBeGreaterThanOrEqual(97);
    const snapshot = (await a.admin('GET', '/admin/quota/stats')).body;
    expect(snapshot.lease_queries).toBe(stats.leaseQueries);
    expect((await settledBalance(`/admin/keys/${id}`)).spent_usd).toBeGreaterThan(0);
  });

  it('records a request to a model without a price with cost null, flagged, never guessed', async () => {
    const { key, projectId } = await a.createKey();
    await a.admin('PUT', `/admin/projects/${projectId}/budget`, { limit_usd: 1, period: 'monthly' });
    const unpriced = a.gateway.app.get(QuotaStats).unpricedRequests;
    expect((await chat(a, key, 'free-model')).status).toBe(200);
    expect(a.gateway.app.get(QuotaStats).unpricedRequests).toBe(unpriced + 1);
    const rows = await eventually(
      () =>
        a.gateway.app
          .get(DataSource)
          .query('SELECT cost_micros, cost_status, prompt_tokens FROM ledger_entries WHERE project_id = $1', [
            projectId,
          ]),
      (found: unknown[]) => found.length > 0,
    );
    expect(rows).toEqual([{ cost_micros: null, cost_status: 'unpriced', prompt_tokens: expect.any(String) }]);
    expect((await settledBalance(`/admin/projects/${projectId}`)).spent_usd).toBe(0);
  });

  it('releases the leases of a crashed instance after their TTL', async () => {
    const { projectId } = await a.createKey();
    await a.admin('PUT', `/admin/projects/${projectId}/budget`, { limit_usd: 1, period: 'monthly' });
    const db = a.gateway.app.get(DataSource);
    // What a gateway that died mid-lease leaves behind: a lease row it stopped renewing. It expires only after
    // the balance has shown it, so that the instances' reconcile turn cannot release it before it is read.
    await db.query(
      `WITH b AS (UPDATE budgets SET reserved_micros = reserved_micros + 250000 WHERE scope_id = $1 RETURNING id, period_start)
       INSERT INTO budget_leases (budget_id, holder, period_start, amount_micros, expires_at)
       SELECT id, 'crashed-instance', period_start, 250000, now() + interval '1 hour' FROM b`,
      [projectId],
    );
    expect((await balance(`/admin/projects/${projectId}`)).reserved_usd).toBe(0.25);
    await db.query(
      `UPDATE budget_leases SET expires_at = now() - interval '1 second' WHERE holder = 'crashed-instance'`,
    );
    const released = await settledBalance(`/admin/projects/${projectId}`);
    expect(released).toMatchObject({ reserved_usd: 0, remaining_usd: 1 });
    const orphans =
      a.gateway.app.get(QuotaStats).orphanedLeasesReleased + b.gateway.app.get(QuotaStats).orphanedLeasesReleased;
    expect(orphans).toBeGreaterThanOrEqual(1);
  });

  it('validates budget bodies strictly and answers unknown ids with 404', async () => {
    const { id } = await a.createKey();
    const put = (path: string, body: unknown) => a.admin('PUT', path, body);
    expect(
      (await put(`/admin/keys/${id}/budget`, { limit_usd: 5, period: 'daily', currency: 'EUR' })).body.error.param,
    ).toBe('currency');
    expect((await put(`/admin/keys/${id}/budget`, { limit_usd: 5, period: 'hourly' })).body.error.param).toBe('period');
    expect((await put(`/admin/keys/${id}/budget`, { limit_usd: 0.0000001, period: 'daily' })).body.error.param).toBe(
      'limit_usd',
    );
    expect((await put(`/admin/keys/${id}/budget`, { limit_usd: -1, period: 'daily' })).status).toBe(400);
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect((await put(`/admin/keys/${unknown}/budget`, { limit_usd: 5, period: 'daily' })).status).toBe(404);
    expect((await put(`/admin/widgets/${id}/budget`, { limit_usd: 5, period: 'daily' })).status).toBe(404);
    expect((await a.admin('GET', `/admin/teams/${unknown}/balance`)).status).toBe(404);
    expect((await a.admin('GET', `/admin/keys/${id}/balance`)).status).toBe(404);
    expect((await put(`/admin/keys/${id}/budget`, { limit_usd: 12.5, period: 'weekly' })).body).toMatchObject({
      limit_usd: 12.5,
      period: 'weekly',
    });
    expect((await a.admin('DELETE', `/admin/keys/${id}/budget`)).status).toBe(204);
    expect((await a.admin('GET', `/admin/keys/${id}/balance`)).status).toBe(404);
  });
});

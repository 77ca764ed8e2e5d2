import { Client } from 'pg';
import { FakeOpenAiServer } from '../fakes/fake-openai.server';
import { wireCheck } from '../utils/openai-wire';
import { createTestDatabase, TestDatabase } from '../utils/test-database';
import { openAiCatalog, startTestGateway, TestGateway } from '../utils/test-gateway';

/**
 * A request still streaming when the gateway is told to stop is charged and counted: Nest runs
 * `beforeApplicationShutdown` before the HTTP server closes (in-flight requests then finish), so the budget
 * ledger and the anomaly detectors write what they hold at `onApplicationShutdown`, after the last request
 * has ended and before the database pool closes.
 */
describe('shutdown drain: requests that end while the gateway stops', () => {
  // Every stream received is checked against OpenAI's published OpenAPI document, its ending included.
  const wire = wireCheck();
  let fake: FakeOpenAiServer;
  let database: TestDatabase;
  let gateway: TestGateway;

  beforeAll(async () => {
    fake = new FakeOpenAiServer('sk-provider');
    // About a second per stream: still in flight when the close begins.
    fake.defaultReply = { text: 'x'.repeat(20), eventDelayMs: 50 };
    database = await createTestDatabase();
    const priced = [
      {
        name: 'gpt-test',
        pricing: { input_per_mtok: 1, output_per_mtok: 2 },
        deployments: [{ provider: 'openai', model: 'gpt-test' }],
      },
    ];
    gateway = await startTestGateway({ catalog: openAiCatalog(await fake.start(), 'sk-provider', priced), database });
  });

  afterAll(async () => {
    await database?.drop();
    await fake?.stop();
  });

  it('charges the ledger and writes the anomaly tallies of a request that ends during the drain', async () => {
    const caller = await gateway.createKey();
    const budget = await gateway.admin('PUT', `/admin/keys/${caller.id}/budget`, { limit_usd: 10, period: 'monthly' });
    expect(budget.status).toBe(200);
    const response = await wire.fetch(`${gateway.baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${caller.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-test', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    await reader.read();

    const closing = gateway.close();
    while (!(await reader.read()).done);
    await closing;

    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      const tallies = await client.query(
        `SELECT coalesce(sum(requests), 0)::int AS n FROM key_usage_buckets WHERE key_id = $1`,
        [caller.id],
      );
      expect(tallies.rows[0].n).toBe(1);
      const ledger = await client.query(
        `SELECT count(*)::int AS n, coalesce(sum(cost_micros), 0)::int AS cost FROM ledger_entries WHERE key_id = $1`,
        [caller.id],
      );
      expect(ledger.rows[0].n).toBe(1);
      expect(ledger.rows[0].cost).toBeGreaterThan(0);
    } finally {
      await client.end();
    }
  });
});

import { Client } from 'pg';
import { FakeOpenAiServer } from '../fakes/fake-openai.server';
import { wireCheck } from '../utils/openai-wire';
import { createTestDatabase, TestDatabase } from '../utils/test-database';
import { openAiCatalog, startTestGateway, TestGateway } from '../utils/test-gateway';

/**
 * A request still streaming when the gateway is told to stop is counted by the anomaly detectors: Nest runs
 * `beforeApplicationShutdown` before the HTTP server closes (in-flight requests then finish), so the
 * detectors write their tallies at `onApplicationShutdown`, after the last request has ended.
 */
describe('anomaly detection at shutdown', () => {
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
    gateway = await startTestGateway({ catalog: openAiCatalog(await fake.start(), 'sk-provider'), database });
  });

  afterAll(async () => {
    await database?.drop();
    await fake?.stop();
  });

  it('writes the tallies of requests that end during the drain', async () => {
    const caller = await gateway.createKey();
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
      const { rows } = await client.query(
        `SELECT coalesce(sum(requests), 0)::int AS n FROM key_usage_buckets WHERE key_id = $1`,
        [caller.id],
      );
      expect(rows[0].n).toBe(1);
    } finally {
      await client.end();
    }
  });
});

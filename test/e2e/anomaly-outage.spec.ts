import { setTimeout as sleep } from 'node:timers/promises';
import { AnomalySuspension } from '../../apps/gateway/src/alerts/detectors/anomaly-suspension';
import { FakeOpenAiServer } from '../fakes/fake-openai.server';
import { wireCheck } from '../utils/openai-wire';
import { TcpProxy } from '../utils/tcp-proxy';
import { createTestDatabase, TestDatabase } from '../utils/test-database';
import { openAiCatalog, startTestGateway, TestGateway } from '../utils/test-gateway';

/**
 * A suspension made by this instance holds through a Postgres outage: the key's cached lookup, which the
 * outage lets the gateway keep serving from, carries the suspension instead of being forgotten or kept stale.
 */
describe('anomaly suspension through a Postgres outage', () => {
  // Every body received (403 key_suspended included) is checked against OpenAI's published OpenAPI document.
  const wire = wireCheck();
  const CACHE_TTL_MS = 200;
  let fake: FakeOpenAiServer;
  let database: TestDatabase;
  let proxy: TcpProxy;
  let gateway: TestGateway;

  beforeAll(async () => {
    fake = new FakeOpenAiServer('sk-provider');
    database = await createTestDatabase();
    const direct = new URL(database.url);
    proxy = new TcpProxy(direct.hostname, Number(direct.port || 5432));
    const proxied = new URL(database.url);
    proxied.port = String(await proxy.start());
    gateway = await startTestGateway({
      catalog: openAiCatalog(await fake.start(), 'sk-provider'),
      database: { url: proxied.toString(), drop: database.drop },
      env: { AUTH_CACHE_TTL_MS: String(CACHE_TTL_MS) },
    });
  });

  afterAll(async () => {
    proxy?.restore();
    await gateway?.close();
    await proxy?.stop();
    await database?.drop();
    await fake?.stop();
  });

  const chat = (key: string) =>
    wire.fetch(`${gateway.baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] }),
    });

  it('keeps refusing a suspended key with key_suspended while other known keys are served', async () => {
    const suspended = await gateway.createKey();
    const other = await gateway.createKey();
    for (const key of [suspended, other]) expect((await chat(key.key)).status).toBe(200);
    const done = await gateway.gateway.app
      .get(AnomalySuspension)
      .suspendKeys([suspended.id], 'a test anomaly', new Date(0));
    expect(done.map((key) => key.id)).toEqual([suspended.id]);

    proxy.cut();
    // Past the cache TTL, so that each lookup asks the database, fails, and falls back to what it recalls.
    await sleep(CACHE_TTL_MS * 2);
    for (let attempt = 0; attempt < 3; attempt++) {
      const refused = await chat(suspended.key);
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as { error: unknown }).error).toMatchObject({
        code: 'key_suspended',
        message: expect.stringContaining(': a test anomaly. An admin can resume it'),
      });
      expect((await chat(other.key)).status).toBe(200);
    }
    proxy.restore();
  });
});

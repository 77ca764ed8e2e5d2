import OpenAI from 'openai';
import { createServer } from 'node:net';
import { FakeOpenAiServer } from '../fakes/fake-openai.server';
import { wireCheck } from '../utils/openai-wire';
import { startTestGateway, TestGateway } from '../utils/test-gateway';

const PROVIDER_KEY = 'sk-canary-provider-key-upstream-failures';

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('upstream failures reach the client as distinct, retry-friendly errors', () => {
  let fake: FakeOpenAiServer;
  let gateway: TestGateway;
  let client: OpenAI;
  let key: string;
  // Every body received is checked against OpenAI's published OpenAPI document.
  const wire = wireCheck();

  beforeAll(async () => {
    fake = new FakeOpenAiServer(PROVIDER_KEY);
    const upstream = await fake.start();
    gateway = await startTestGateway({
      catalog: {
        // One upstream call per request: these tests pin how a single failure surfaces (routing-*.spec.ts
        // covers the gateway's own retries).
        defaults: { retry: { max_attempts: 1 } },
        providers: [
          { id: 'openai', type: 'openai', base_url: `${upstream}/v1`, api_key: PROVIDER_KEY },
          { id: 'wrong-key', type: 'openai', base_url: `${upstream}/v1`, api_key: 'sk-wrong-provider-key-123456' },
          {
            id: 'nowhere',
            type: 'openai-compatible',
            base_url: `http://127.0.0.1:${await closedPort()}/v1`,
            api_key: PROVIDER_KEY,
          },
        ],
        models: [
          { name: 'gpt-test', deployments: [{ provider: 'openai', model: 'gpt-test' }], timeouts: { ttfb_ms: 500 } },
          { name: 'misconfigured', deployments: [{ provider: 'wrong-key', model: 'gpt-test' }] },
          { name: 'unreachable', deployments: [{ provider: 'nowhere', model: 'gpt-test' }] },
        ],
      },
    });
    key = (await gateway.createKey()).key;
    client = new OpenAI({ apiKey: key, baseURL: `${gateway.baseUrl}/v1`, maxRetries: 2, fetch: wire.fetch });
  });

  afterAll(async () => {
    await gateway?.close();
    await fake?.stop();
  });

  const messages = [{ role: 'user' as const, content: 'hi' }];

  it.each([
    [500, 502, 'upstream_error'],
    [503, 503, 'upstream_unavailable'],
  ])('upstream %i → %i %s, which the SDK retries (visible at the upstream)', async (upstreamStatus, status, code) => {
    fake.script({ status: upstreamStatus }, { status: upstreamStatus }, { status: upstreamStatus });
    const before = fake.calls('/chat/completions').length;
    const error = await client.chat.completions.create({ model: 'gpt-test', messages }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error).toMatchObject({ status, code, type: 'upstream_error' });
    expect((error as Error).message).toContain(`returned ${upstreamStatus}`);
    expect(fake.calls('/chat/completions').length - before).toBe(3);
  });

  it('a transient 503 is hidden by the SDK retry', async () => {
    fake.script({ status: 503 });
    const result = await client.chat.completions.create({ model: 'gpt-test', messages });
    expect(result.choices[0].message.content).toBe('Echo: hi');
  });

  it('upstream 429 → 429 upstream_rate_limited with the upstream retry-after', async () => {
    // Short: the gateway then keeps this deployment cooling for that long, which the next test waits out.
    fake.script({ status: 429, headers: { 'retry-after': '1' } });
    const response = await wire.fetch(`${gateway.baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-test', messages }),
    });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(((await response.json()) as any).error).toMatchObject({
      code: 'upstream_rate_limited',
      type: 'upstream_error',
    });
  });

  it('upstream 400 → 400 with the upstream message and code, not retried', async () => {
    fake.script({ status: 400 });
    const before = fake.calls('/chat/completions').length;
    const error = await client.chat.completions.create({ model: 'gpt-test', messages }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 400, code: 'invalid_value' });
    expect((error as Error).message).toContain("Invalid value for 'temperature'");
    expect(fake.calls('/chat/completions').length - before).toBe(1);
  });

  it('upstream 401 (the gateway’s provider key is wrong) → 502 upstream_auth_error, and the provider key is not echoed', async () => {
    const error = await client.chat.completions.create({ model: 'misconfigured', messages }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 502, code: 'upstream_auth_error' });
    expect(JSON.stringify(error)).not.toContain('sk-wrong-provider-key');
  });

  it('connection refused → 502 upstream_connection_error', async () => {
    const error = await client.chat.completions
      .create({ model: 'unreachable', messages }, { maxRetries: 0 })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 502, code: 'upstream_connection_error' });
  });

  it('no response headers within ttfb_ms → 504 upstream_timeout', async () => {
    fake.script({ headersDelayMs: 1_500 });
    const error = await client.chat.completions
      .create({ model: 'gpt-test', messages }, { maxRetries: 0 })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 504, code: 'upstream_timeout' });
  });

  it('never logs the gateway key or the provider keys', () => {
    const logs = gateway.logs.join('\n');
    expect(logs).toContain('"statusCode":502');
    for (const secret of [key, PROVIDER_KEY, 'sk-wrong-provider-key-123456']) expect(logs).not.toContain(secret);
  });
});

import { createServer, Server, Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { Clock } from '@app/common';
import { QuotaStats } from '@app/quota';
import { FakeOpenAiServer } from '../fakes/fake-openai.server';
import { wireCheck } from '../utils/openai-wire';
import { openAiCatalog, startTestGateway, TestGateway } from '../utils/test-gateway';

const PROVIDER_KEY = 'sk-rate-provider';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const MINUTE = 60_000;

const chatBody = (maxTokens?: number) =>
  JSON.stringify({
    model: 'gpt-test',
    messages: [{ role: 'user', content: 'hi' }],
    ...(maxTokens ? { max_tokens: maxTokens } : {}),
  });

// Every /v1 body received (402 and 429 included) is checked against OpenAI's published OpenAPI document.
const wire = wireCheck();

describe('rate limits', () => {
  let fake: FakeOpenAiServer;
  let limited: FakeOpenAiServer;
  let a: TestGateway;
  let b: TestGateway;

  beforeAll(async () => {
    fake = new FakeOpenAiServer(PROVIDER_KEY);
    // A second upstream for the upstream-429 case, so routing's cool-down of it touches no other test.
    limited = new FakeOpenAiServer(PROVIDER_KEY);
    const [upstream, limitedUpstream] = await Promise.all([fake.start(), limited.start()]);
    const catalog = {
      providers: [
        { id: 'openai', type: 'openai', base_url: `${upstream}/v1`, api_key: PROVIDER_KEY },
        { id: 'limited', type: 'openai', base_url: `${limitedUpstream}/v1`, api_key: PROVIDER_KEY },
      ],
      models: [
        { name: 'gpt-test', deployments: [{ provider: 'openai', model: 'gpt-test' }] },
        { name: 'gpt-limited', deployments: [{ provider: 'limited', model: 'gpt-limited' }] },
      ],
    };
    // Two separate Nest applications in this process, sharing Postgres and Redis.
    a = await startTestGateway({ catalog, env: { REDIS_URL } });
    b = await startTestGateway({ catalog, env: { REDIS_URL }, database: a.database });
  });

  afterAll(async () => {
    await b?.close();
    await a?.close();
    await Promise.all([fake?.stop(), limited?.stop()]);
  });

  const chat = (gateway: TestGateway, key: string, maxTokens?: number) =>
    wire.fetch(`${gateway.baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: chatBody(maxTokens),
    });

  it('admits at most 60 requests in any 60 s across two instances, with no burst at a minute boundary', async () => {
    const { key, id } = await a.createKey();
    expect((await a.admin('PUT', `/admin/keys/${id}/rate-limits`, { rpm: 60 })).body).toEqual({ rpm: 60, tpm: null });
    // Both instances read one simulated clock, so a minute of traffic takes seconds.
    let now = Math.ceil(Date.now() / MINUTE) * MINUTE - 10_000;
    const clocks = [a, b].map((gateway) =>
      jest.spyOn(gateway.gateway.app.get(Clock), 'now').mockImplementation(() => new Date(now)),
    );
    const admitted: number[] = [];
    let refused: Response | undefined;
    try {
      // 300 requests within one minute, starting 10 s before a minute boundary (a fixed window would
      // admit 50 before it and 60 more after), then 100 more as the first admissions leave the window.
      for (let i = 0; i < 400; i++, now += 200) {
        const response = await chat(i % 2 === 0 ? a : b, key);
        if (response.status === 200) admitted.push(now);
        else refused ??= response;
        expect([200, 429]).toContain(response.status);
        await response.arrayBuffer();
      }
    } finally {
      clocks.forEach((clock) => clock.mockRestore());
    }
    const start = admitted[0];
    expect(admitted.filter((t) => t < start + MINUTE)).toHaveLength(60);
    const busiestWindow = Math.max(...admitted.map((t) => admitted.filter((u) => u >= t && u < t + MINUTE).length));
    expect(busiestWindow).toBe(60);
    // The window slides: the second minute admits again as the first minute's requests expire.
    expect(admitted.length).toBeGreaterThan(60);
    expect(refused!.headers.get('x-ratelimit-limit-requests')).toBe('60');
    expect(refused!.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(Number(refused!.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('gives the official SDK our own 429 with retry-after and OpenAI rate-limit headers, unlike an upstream 429', async () => {
    const { key, projectId } = await a.createKey();
    await a.admin('PUT', `/admin/projects/${projectId}/rate-limits`, { rpm: 2 });
    const client = new OpenAI({ apiKey: key, baseURL: `${a.baseUrl}/v1`, maxRetries: 0, fetch: wire.fetch });
    const messages = [{ role: 'user' as const, content: 'hi' }];
    const { response } = await client.chat.completions.create({ model: 'gpt-test', messages }).withResponse();
    expect(response.headers.get('x-ratelimit-limit-requests')).toBe('2');
    expect(response.headers.get('x-ratelimit-remaining-requests')).toBe('1');
    expect(response.headers.get('x-ratelimit-reset-requests')).toBe('1m0s');
    await client.chat.completions.create({ model: 'gpt-test', messages });
    const ours = await client.chat.completions.create({ model: 'gpt-test', messages }).catch((e) => e);
    expect(ours).toBeInstanceOf(OpenAI.RateLimitError);
    expect(ours).toMatchObject({ status: 429, code: 'rate_limit_exceeded', type: 'rate_limit_error' });
    expect(ours.message).toContain('project: 2 requests per minute');
    expect(Number(ours.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(ours.headers.get('retry-after-ms'))).toBeGreaterThan(0);

    const { key: other } = await a.createKey();
    limited.defaultReply = { status: 429, headers: { 'retry-after': '3' } };
    const upstream = await new OpenAI({
      apiKey: other,
      baseURL: `${a.baseUrl}/v1`,
      maxRetries: 0,
      fetch: wire.fetch,
    }).chat.completions
      .create({ model: 'gpt-limited', messages })
      .catch((e) => e);
    expect(upstream).toMatchObject({ status: 429, code: 'upstream_rate_limited', type: 'upstream_error' });
  });

  it('counts tokens per minute by estimate at admission, and refuses for good what can never fit', async () => {
    const { key, id } = await a.createKey();
    await a.admin('PUT', `/admin/keys/${id}/rate-limits`, { tpm: 1_000 });
    const first = await chat(a, key, 600);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-ratelimit-limit-tokens')).toBe('1000');
    // 600 max_tokens plus the prompt estimate (one short message: 1 + 4 + 3 tokens).
    expect(first.headers.get('x-ratelimit-remaining-tokens')).toBe(String(1_000 - 608));
    const second = await chat(b, key, 600);
    expect(second.status).toBe(429);
    expect(second.headers.get('x-ratelimit-remaining-tokens')).toBe('392');
    expect(((await second.json()) as any).error.message).toContain('1000 tokens per minute');
    const tooLarge = await chat(a, key, 5_000);
    expect(tooLarge.status).toBe(429);
    expect(tooLarge.headers.get('x-should-retry')).toBe('false');
    expect(((await tooLarge.json()) as any).error.message).toMatch(
      /needs about 5008 tokens, more than the key's limit of 1000/,
    );
    expect((await chat(a, key, 300)).status).toBe(200);
  });

  it('validates rate-limit bodies strictly and answers unknown ids with 404', async () => {
    const { id, teamId } = await a.createKey();
    const put = (path: string, body: unknown) => a.admin('PUT', path, body);
    expect((await put(`/admin/keys/${id}/rate-limits`, { rpm: 10, burst: 5 })).body.error.param).toBe('burst');
    expect((await put(`/admin/keys/${id}/rate-limits`, { rpm: 0 })).body.error.param).toBe('rpm');
    expect((await put(`/admin/keys/${id}/rate-limits`, { tpm: 1.5 })).body.error.param).toBe('tpm');
    expect((await put('/admin/projects/00000000-0000-4000-8000-000000000000/rate-limits', { rpm: 5 })).status).toBe(
      404,
    );
    expect((await put(`/admin/teams/${teamId}/rate-limits`, { rpm: 5, tpm: null })).body).toEqual({
      rpm: 5,
      tpm: null,
    });
    expect((await a.admin('GET', `/admin/teams/${teamId}/rate-limits`)).body).toEqual({ rpm: 5, tpm: null });
  });
});

describe('rate limits while Redis is unreachable', () => {
  let fake: FakeOpenAiServer;
  let upstream: string;
  let blackHole: Server;
  let deadRedis: string;
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    fake = new FakeOpenAiServer(PROVIDER_KEY);
    upstream = await fake.start();
    // Accepts connections and never answers: the worst case, slower to detect than a refused connection.
    blackHole = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
    deadRedis = `redis://127.0.0.1:${(blackHole.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    sockets.forEach((socket) => socket.destroy());
    await new Promise((resolve) => blackHole.close(resolve));
    await fake.stop();
  });

  async function withGateway(env: Record<string, string>, run: (gateway: TestGateway, key: string) => Promise<void>) {
    const gateway = await startTestGateway({ catalog: openAiCatalog(upstream, PROVIDER_KEY), env });
    try {
      const { key, id } = await gateway.createKey();
      await gateway.admin('PUT', `/admin/keys/${id}/rate-limits`, { rpm: 10 });
      await run(gateway, key);
    } finally {
      await gateway.close();
    }
  }

  const timedList = async (gateway: TestGateway, key: string) => {
    const started = performance.now();
    const response = await wire.fetch(`${gateway.baseUrl}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
    await response.arrayBuffer();
    return { status: response.status, ms: performance.now() - started };
  };

  it('fails open on request: each instance enforces its share of the limit, fast, and says so', async () => {
    await withGateway(
      { REDIS_URL: deadRedis, RATE_LIMIT_REDIS_FAILURE: 'open', RATE_LIMIT_INSTANCES: '2' },
      async (gateway, key) => {
        const results = [];
        for (let i = 0; i < 8; i++) results.push(await timedList(gateway, key));
        expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
        expect(Math.max(...results.map((r) => r.ms))).toBeLessThan(1_000);
        const stats = gateway.gateway.app.get(QuotaStats);
        expect(stats.rateLimitStoreErrors).toBeGreaterThanOrEqual(1);
        expect(stats.rateLimitStoreDegraded).toBe(true);
        expect(gateway.logs.some((line) => line.includes('rate-limit store (Redis) unreachable'))).toBe(true);
      },
    );
  });

  it('fails closed on request: 503 until Redis is back', async () => {
    await withGateway({ REDIS_URL: deadRedis, RATE_LIMIT_REDIS_FAILURE: 'closed' }, async (gateway, key) => {
      const result = await timedList(gateway, key);
      expect(result.status).toBe(503);
      expect(result.ms).toBeLessThan(1_000);
    });
  });
});

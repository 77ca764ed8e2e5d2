import { postChat, ROUTING_PROVIDER_KEY, startUpstreams, Upstreams } from '../utils/routing-harness';
import { wireCheck } from '../utils/openai-wire';
import { startTestGateway, TestGateway } from '../utils/test-gateway';

describe('routing: fallbacks', () => {
  // Every body received is checked against OpenAI's published OpenAPI document.
  const wire = wireCheck();
  let upstreams: Upstreams;
  let gateway: TestGateway;
  let key: string;

  beforeAll(async () => {
    upstreams = await startUpstreams('a1', 'a2', 'b', 'c');
    gateway = await startTestGateway({
      fetch: wire.fetch,
      catalog: {
        providers: upstreams.providers,
        defaults: { retry: { base_delay_ms: 10, max_delay_ms: 50 } },
        // The retry budget has its own spec; here it must not cut a route short.
        retry_budget: { min_retries: 1_000 },
        models: [
          {
            name: 'model-a',
            deployments: [
              { provider: 'a1', model: 'gpt-a' },
              { provider: 'a2', model: 'gpt-a' },
            ],
            fallbacks: ['model-b'],
          },
          { name: 'model-b', deployments: [{ provider: 'b', model: 'gpt-b' }] },
          { name: 'model-c', deployments: [{ provider: 'c', model: 'gpt-c' }], fallbacks: ['model-b'] },
        ],
      },
    });
    key = (await gateway.createKey()).key;
  });

  afterAll(async () => {
    await gateway?.close();
    await upstreams?.stop();
  });

  afterEach(() => {
    for (const fake of Object.values(upstreams.fakes)) fake.defaultReply = {};
  });

  it('serves from the fallback once every deployment of the model failed, and says why', async () => {
    const { a1, a2, b } = upstreams.fakes;
    a1.defaultReply = { status: 503 };
    a2.defaultReply = { status: 500 };
    const reply = await postChat(gateway, key, 'model-a');
    expect(reply.status).toBe(200);
    expect(reply.headers.get('x-switchyard-model')).toBe('model-b');
    expect(reply.headers.get('x-switchyard-deployment')).toBe('b/gpt-b');
    expect(reply.headers.get('x-switchyard-fallback-reason')).toBe('upstream_5xx');
    // Both deployments of model-a, one retry (max_attempts: 3), then the fallback.
    expect(reply.headers.get('x-switchyard-attempts')).toBe('4');
    expect(b.receivedAt.at(-1)).toBeGreaterThanOrEqual(Math.max(a1.receivedAt.at(-1)!, a2.receivedAt.at(-1)!));
  });

  it('never falls back to a model the caller may not use', async () => {
    const { a1, a2, b } = upstreams.fakes;
    a1.defaultReply = { status: 503 };
    a2.defaultReply = { status: 503 };
    const onlyA = (await gateway.createKey({ models: ['model-a'] })).key;
    const before = b.chatCalls;
    const reply = await postChat(gateway, onlyA, 'model-a');
    expect(reply.status).toBe(503);
    expect(reply.body.error.code).toBe('upstream_unavailable');
    expect(reply.headers.get('x-switchyard-fallback-reason')).toBeNull();
    expect(b.chatCalls).toBe(before);
  });

  it('names a connection failure as the fallback reason', async () => {
    await upstreams.fakes.c.stop();
    const reply = await postChat(gateway, key, 'model-c');
    expect(reply.status).toBe(200);
    expect(reply.headers.get('x-switchyard-model')).toBe('model-b');
    expect(reply.headers.get('x-switchyard-fallback-reason')).toBe('connect_error');
  });

  it('returns an upstream 400 as 400 with the upstream message, without retry or fallback', async () => {
    const { a1, a2, b } = upstreams.fakes;
    a1.defaultReply = { status: 400 };
    a2.defaultReply = { status: 400 };
    const calls = { a: a1.chatCalls + a2.chatCalls, b: b.chatCalls };
    const reply = await postChat(gateway, key, 'model-a');
    expect(reply.status).toBe(400);
    expect(reply.body.error).toMatchObject({ code: 'invalid_value', type: 'invalid_request_error' });
    expect(reply.body.error.message).toContain("Invalid value for 'temperature'");
    expect(reply.headers.get('x-switchyard-attempts')).toBe('1');
    expect(reply.headers.get('x-switchyard-fallback-reason')).toBeNull();
    expect(a1.chatCalls + a2.chatCalls - calls.a).toBe(1);
    expect(b.chatCalls).toBe(calls.b);
  });

  it('answers 503 upstream_unavailable with retry-after and the attempts summarised when the fallback fails too', async () => {
    for (const fake of [upstreams.fakes.a1, upstreams.fakes.a2, upstreams.fakes.b]) fake.defaultReply = { status: 503 };
    const reply = await postChat(gateway, key, 'model-a');
    expect(reply.status).toBe(503);
    expect(reply.body.error).toMatchObject({ code: 'upstream_unavailable', type: 'upstream_error' });
    expect(Number(reply.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(reply.headers.get('x-switchyard-fallback-reason')).toBe('upstream_5xx');
    expect(reply.headers.get('x-switchyard-attempts')).toBe('6');
    const message: string = reply.body.error.message;
    expect(message).toContain('Model "model-a" could not be served (6 upstream attempts:');
    expect(message).toMatch(/a[12]\/gpt-a → 503 upstream_unavailable/);
    expect(message).toContain('b/gpt-b → 503 upstream_unavailable');
    expect(message).not.toContain(ROUTING_PROVIDER_KEY);
    expect(message).not.toContain('overloaded');
  });
});

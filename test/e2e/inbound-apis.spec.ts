import { recordsOf } from '../utils/evidence';
import { wireCheck } from '../utils/openai-wire';
import { startUpstreams, Upstreams } from '../utils/routing-harness';
import { startTestGateway, TestGateway } from '../utils/test-gateway';

/**
 * One gateway, three inbound APIs: Chat Completions, Anthropic Messages and OpenAI Responses go through the same
 * pipeline, so fallbacks, budgets, rate limits and evidence records must behave the same on each; only the wire
 * shapes differ.
 */
interface InboundApi {
  name: 'chat' | 'messages' | 'responses';
  path: string;
  body(model: string): object;
  /** The error's machine-readable kind in the API's own error shape. */
  errorKind(body: any): string;
}

const APIS: InboundApi[] = [
  {
    name: 'chat',
    path: '/v1/chat/completions',
    body: (model) => ({ model, max_tokens: 50, messages: [{ role: 'user', content: 'hello' }] }),
    errorKind: (body) => body.error.code,
  },
  {
    name: 'messages',
    path: '/v1/messages',
    body: (model) => ({ model, max_tokens: 50, messages: [{ role: 'user', content: 'hello' }] }),
    errorKind: (body) => (body.type === 'error' ? body.error.type : 'not Anthropic-shaped'),
  },
  {
    name: 'responses',
    path: '/v1/responses',
    body: (model) => ({ model, max_output_tokens: 50, input: 'hello', store: false }),
    errorKind: (body) => body.error.code,
  },
];

describe.each(APIS.map((api) => [api.name, api] as const))('inbound API %s', (_name, api) => {
  let upstreams: Upstreams;
  let gateway: TestGateway;
  // Every body received is checked against OpenAI's published OpenAPI document (Messages bodies are Anthropic's).
  const wire = wireCheck(api.name);

  beforeAll(async () => {
    upstreams = await startUpstreams('primary', 'backup');
    gateway = await startTestGateway({
      catalog: {
        providers: upstreams.providers,
        models: [
          {
            name: 'model-a',
            deployments: [{ provider: 'primary', model: 'gpt-a' }],
            fallbacks: ['model-b'],
            retry: { max_attempts: 1 },
            pricing: { input_per_mtok: 1, output_per_mtok: 2 },
          },
          {
            name: 'model-b',
            deployments: [{ provider: 'backup', model: 'gpt-b' }],
            pricing: { input_per_mtok: 1, output_per_mtok: 2 },
          },
        ],
      },
    });
  });

  afterAll(async () => {
    await gateway?.close();
    await upstreams?.stop();
  });

  afterEach(() => {
    for (const fake of Object.values(upstreams.fakes)) fake.defaultReply = {};
  });

  async function call(key: string, model = 'model-a') {
    const response = await wire.fetch(gateway.baseUrl + api.path, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(api.body(model)),
    });
    return { status: response.status, headers: response.headers, body: (await response.json()) as any };
  }

  it('falls back when the model fails, names the reason, and leaves one evidence record', async () => {
    const { key } = await gateway.createKey();
    upstreams.fakes.primary.defaultReply = { status: 503 };
    const reply = await call(key);
    expect(reply.status).toBe(200);
    expect(reply.headers.get('x-switchyard-model')).toBe('model-b');
    expect(reply.headers.get('x-switchyard-fallback-reason')).toBe('upstream_5xx');
    expect(reply.headers.get('x-switchyard-attempts')).toBe('2');

    const [record, ...more] = await recordsOf(gateway, reply.headers.get('x-request-id')!);
    expect(more).toEqual([]);
    expect(record).toMatchObject({
      endpoint: api.path,
      status: 200,
      model_requested: 'model-a',
      model_served: 'model-b',
      fallback_reason: 'upstream_5xx',
    });
    expect(record.api).toBe(api.name);
    expect(record.prompt_tokens).toBeGreaterThan(0);
    expect(record.cost_micro_usd).toBeGreaterThan(0);
  });

  it('refuses a request its budget cannot cover with a 402 in the API’s shape, calling no upstream', async () => {
    const broke = await gateway.createKey();
    await gateway.admin('PUT', `/admin/keys/${broke.id}/budget`, { limit_usd: 0.000001, period: 'monthly' });
    const before = upstreams.fakes.primary.chatCalls;
    const reply = await call(broke.key);
    expect(reply.status).toBe(402);
    expect(api.errorKind(reply.body)).toBe(api.name === 'messages' ? 'billing_error' : 'insufficient_quota');
    expect(upstreams.fakes.primary.chatCalls).toBe(before);
  });

  it('holds the key’s requests-per-minute limit with a 429 and retry-after in the API’s shape', async () => {
    const limited = await gateway.createKey();
    await gateway.admin('PUT', `/admin/keys/${limited.id}/rate-limits`, { rpm: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push(await call(limited.key));
    expect(statuses.map((reply) => reply.status)).toEqual([200, 200, 429]);
    const refused = statuses[2];
    expect(api.errorKind(refused.body)).toBe(api.name === 'messages' ? 'rate_limit_error' : 'rate_limit_exceeded');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

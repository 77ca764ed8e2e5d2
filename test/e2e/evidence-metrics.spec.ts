import OpenAI from 'openai';
import { FakeOpenAiServer } from '../fakes/fake-openai.server';
import { eventually } from '../utils/eventually';
import { wireCheck } from '../utils/openai-wire';
import { sampleValue } from '../utils/prometheus';
import { startTestGateway, TestGateway } from '../utils/test-gateway';

const PROVIDER_KEY = 'sk-metrics-provider-key-77aa';
const METRICS_TOKEN = 'metrics-scrape-token-0123456789';

describe('metrics and health', () => {
  // Every body received is checked against OpenAI's published OpenAPI document.
  const wire = wireCheck();
  let fake: FakeOpenAiServer;
  let down: FakeOpenAiServer;
  let gateway: TestGateway;
  let client: OpenAI;

  beforeAll(async () => {
    fake = new FakeOpenAiServer(PROVIDER_KEY);
    down = new FakeOpenAiServer(PROVIDER_KEY);
    down.defaultReply = { status: 503 };
    gateway = await startTestGateway({
      catalog: {
        providers: [
          { id: 'openai', type: 'openai', base_url: `${await fake.start()}/v1`, api_key: PROVIDER_KEY },
          { id: 'down', type: 'openai', base_url: `${await down.start()}/v1`, api_key: PROVIDER_KEY },
        ],
        models: [
          { name: 'gpt-test', deployments: [{ provider: 'openai', model: 'gpt-test' }] },
          { name: 'gpt-primary', deployments: [{ provider: 'down', model: 'gpt-primary' }], fallbacks: ['gpt-test'] },
          {
            name: 'embed-test',
            kind: 'embedding',
            deployments: [{ provider: 'openai', model: 'text-embedding-3-small' }],
          },
        ],
      },
      env: { METRICS_TOKEN },
    });
    client = new OpenAI({
      apiKey: (await gateway.createKey()).key,
      baseURL: `${gateway.baseUrl}/v1`,
      maxRetries: 0,
      fetch: wire.fetch,
    });
  });

  afterAll(async () => {
    await gateway?.close();
    await fake?.stop();
    await down?.stop();
  });

  const scrape = async () => {
    const response = await fetch(`${gateway.baseUrl}/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    return response.text();
  };
  const messages = [{ role: 'user' as const, content: 'count me' }];

  it('asks for METRICS_TOKEN when one is set', async () => {
    for (const authorization of [undefined, 'Bearer wrong-token-0123456789']) {
      const response = await fetch(`${gateway.baseUrl}/metrics`, { headers: authorization ? { authorization } : {} });
      expect(response.status).toBe(401);
      expect(((await response.json()) as any).error.code).toBe('invalid_api_key');
    }
  });

  it('counts requests, durations, time to first token, overhead, tokens and attempts by model and deployment', async () => {
    const completion = await client.chat.completions.create({ model: 'gpt-test', messages });
    const stream = await client.chat.completions.create({ model: 'gpt-test', messages, stream: true });
    for await (const _chunk of stream);
    const chat = { api: 'chat', gen_ai_operation_name: 'chat', gen_ai_request_model: 'gpt-test' };
    // Observed when each response has ended, which the server may note just after the client has read it.
    const text = await eventually(scrape, (scraped) => sampleValue(scraped, 'switchyard_requests_total', chat) === 2);
    expect(
      sampleValue(text, 'switchyard_requests_total', {
        ...chat,
        deployment: 'openai/gpt-test',
        http_response_status_code: '200',
        error_type: '',
      }),
    ).toBe(2);
    expect(sampleValue(text, 'gen_ai_server_request_duration_seconds_count', { ...chat, error_type: '' })).toBe(2);
    expect(sampleValue(text, 'gen_ai_server_time_to_first_token_seconds_count', chat)).toBe(1);
    expect(
      sampleValue(text, 'switchyard_gateway_overhead_seconds_count', { api: 'chat', gen_ai_operation_name: 'chat' }),
    ).toBe(2);
    expect(sampleValue(text, 'gen_ai_client_token_usage_sum', { ...chat, gen_ai_token_type: 'input' })).toBe(
      2 * completion.usage!.prompt_tokens,
    );
    expect(sampleValue(text, 'gen_ai_client_token_usage_count', { ...chat, gen_ai_token_type: 'output' })).toBe(2);
    expect(
      sampleValue(text, 'switchyard_upstream_attempts_total', {
        deployment: 'openai/gpt-test',
        http_response_status_code: '200',
      }),
    ).toBe(2);
    expect(sampleValue(text, 'switchyard_evidence_dropped_rows_total')).toBe(0);
    expect(text).toContain('switchyard_evidence_buffer_rows');
    expect(text).toContain('process_resident_memory_bytes');
  });

  it('labels requests with the inbound API they were sent to, and none for other calls', async () => {
    const embedding = await client.embeddings.create({ model: 'embed-test', input: 'label me' });
    expect(
      (await wire.fetch(`${gateway.baseUrl}/v1/models`, { headers: { authorization: `Bearer ${client.apiKey}` } }))
        .status,
    ).toBe(200);
    const embeddings = { api: 'embeddings', gen_ai_operation_name: 'embeddings', gen_ai_request_model: 'embed-test' };
    const observed = (scraped: string) =>
      sampleValue(scraped, 'switchyard_requests_total', { api: 'none' }) === 1 &&
      sampleValue(scraped, 'switchyard_requests_total', embeddings) === 1;
    const text = await eventually(scrape, observed);
    expect(sampleValue(text, 'switchyard_requests_total', { ...embeddings, http_response_status_code: '200' })).toBe(1);
    expect(sampleValue(text, 'gen_ai_server_request_duration_seconds_count', embeddings)).toBe(1);
    expect(sampleValue(text, 'gen_ai_client_token_usage_sum', { ...embeddings, gen_ai_token_type: 'input' })).toBe(
      embedding.usage.prompt_tokens,
    );
    expect(
      sampleValue(text, 'switchyard_requests_total', {
        api: 'none',
        gen_ai_operation_name: 'list_models',
        http_response_status_code: '200',
      }),
    ).toBe(1);
  });

  it('counts fallbacks and failed attempts', async () => {
    const completion = await client.chat.completions.create({ model: 'gpt-primary', messages });
    expect(completion.choices[0].message.content).toBe('Echo: count me');
    const text = await eventually(scrape, (scraped) => sampleValue(scraped, 'switchyard_fallbacks_total') === 1);
    expect(
      sampleValue(text, 'switchyard_fallbacks_total', {
        gen_ai_request_model: 'gpt-primary',
        gen_ai_response_model: 'gpt-test',
      }),
    ).toBe(1);
    expect(
      sampleValue(text, 'switchyard_upstream_attempts_total', {
        deployment: 'down/gpt-primary',
        http_response_status_code: '503',
        error_type: 'upstream_unavailable',
      }),
    ).toBeGreaterThan(0);
  });

  it('never turns a client-chosen model name into a label', async () => {
    const error = await client.chat.completions
      .create({ model: 'made-up-model-4711', messages })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 404 });
    const text = await eventually(
      scrape,
      (scraped) => sampleValue(scraped, 'switchyard_requests_total', { error_type: 'model_not_found' }) === 1,
    );
    expect(text).not.toContain('made-up-model-4711');
    expect(
      sampleValue(text, 'switchyard_requests_total', {
        gen_ai_request_model: '',
        http_response_status_code: '404',
        error_type: 'model_not_found',
      }),
    ).toBe(1);
  });

  it('serves liveness and readiness without a key', async () => {
    expect((await fetch(`${gateway.baseUrl}/healthz`)).status).toBe(200);
    const ready = await fetch(`${gateway.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ready',
      checks: { database: 'ok', config: 'loaded', draining: false },
    });
    // Probes and scrapes come every few seconds; they stay out of the request log.
    expect(gateway.logs.filter((line) => /"url":"\/(healthz|readyz|metrics)"/.test(line))).toEqual([]);
  });
});

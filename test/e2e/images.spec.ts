import OpenAI from 'openai';
import { DataSource } from 'typeorm';
import { FAKE_IMAGE_URL_PREFIX, FAKE_PNG_BASE64 } from '../fakes/fake-openai-images';
import { FakeOpenAiServer } from '../fakes/fake-openai.server';
import { eventually } from '../utils/eventually';
import { recordsOf } from '../utils/evidence';
import { wireCheck } from '../utils/openai-wire';
import { openApiSchemas } from '../utils/openapi-schema';
import { sampleValue } from '../utils/prometheus';
import { startTestGateway, TestGateway } from '../utils/test-gateway';

const OPENAI_KEY = 'sk-images-openai-provider';
const AZURE_KEY = 'azure-images-provider-key';
const METRICS_TOKEN = 'metrics-scrape-token-images-0123';
/** Per image, in USD: what the catalog says and what the gateway must charge, in micro-USD. */
const DALL_E_3_PRICES = { '1024x1024': 0.04, '1792x1024': 0.08, default: 0.04 };
const PROMPT = 'A lighthouse keeper feeding a very small whale';

describe('images: POST /v1/images/generations as a priced, high-cost API', () => {
  // Every body received (402 and 400 included) is checked against OpenAI's published OpenAPI document.
  const wire = wireCheck();
  let openai: FakeOpenAiServer;
  let azure: FakeOpenAiServer;
  let flaky: FakeOpenAiServer;
  let gateway: TestGateway;
  let caller: Awaited<ReturnType<TestGateway['createKey']>>;
  let client: OpenAI;
  let sequence = 0;
  const nextRequestId = () => `images-${++sequence}-${Date.now()}`;

  beforeAll(async () => {
    openai = new FakeOpenAiServer(OPENAI_KEY);
    azure = new FakeOpenAiServer(AZURE_KEY, 'azure');
    flaky = new FakeOpenAiServer(OPENAI_KEY);
    const [openaiUrl, azureUrl, flakyUrl] = await Promise.all([openai.start(), azure.start(), flaky.start()]);
    const image = (name: string, provider: string, model: string, perImage: object, extra: object = {}) => ({
      name,
      kind: 'image',
      pricing: { per_image: perImage },
      deployments: [{ provider, model }],
      ...extra,
    });
    gateway = await startTestGateway({
      catalog: {
        providers: [
          { id: 'openai', type: 'openai', base_url: `${openaiUrl}/v1`, api_key: OPENAI_KEY },
          { id: 'azure', type: 'azure-openai', base_url: azureUrl, api_key: AZURE_KEY, api_version: '2024-10-21' },
          { id: 'flaky', type: 'openai', base_url: `${flakyUrl}/v1`, api_key: OPENAI_KEY },
          { id: 'mock', type: 'mock' },
        ],
        models: [
          image('dall-e', 'openai', 'dall-e-3', DALL_E_3_PRICES),
          image('dall-e-small', 'openai', 'dall-e-2', { default: 0.02 }),
          image('gpt-image', 'openai', 'gpt-image-1', { '1024x1536': 0.063, default: 0.042 }),
          image('azure-dall-e', 'azure', 'dall-e-3', { default: 0.05 }),
          image('mock-image', 'mock', 'mock-image-1', { default: 0.01 }),
          // The two flaky models are separate deployments (flaky/dall-e-2, flaky/dall-e-3): separate health.
          image(
            'flaky-timeout',
            'flaky',
            'dall-e-2',
            { default: 0.02 },
            {
              fallbacks: ['backup-image'],
              timeouts: { ttfb_ms: 400 },
            },
          ),
          image('flaky-refusal', 'flaky', 'dall-e-3', { default: 0.04 }, { fallbacks: ['backup-image'] }),
          image('backup-image', 'openai', 'dall-e-2', { default: 0.016 }),
          { name: 'gpt-chat', deployments: [{ provider: 'openai', model: 'gpt-4o' }] },
        ],
      },
      env: {
        METRICS_TOKEN,
        EVIDENCE_FLUSH_INTERVAL_MS: '50',
        QUOTA_FLUSH_INTERVAL_MS: '100',
        REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      },
    });
    caller = await gateway.createKey();
    client = new OpenAI({ apiKey: caller.key, baseURL: `${gateway.baseUrl}/v1`, maxRetries: 0, fetch: wire.fetch });
  });

  afterAll(async () => {
    await gateway?.close();
    await Promise.all([openai?.stop(), azure?.stop(), flaky?.stop()]);
  });

  const ledgerOf = async (requestId: string) => {
    const rows: Array<{ cost_micros: string; cost_status: string }> = await gateway.gateway.app
      .get(DataSource)
      .query(`SELECT cost_micros, cost_status FROM ledger_entries WHERE request_id = $1`, [requestId]);
    return rows.map((row) => ({ costMicros: Number(row.cost_micros), status: row.cost_status }));
  };
  const settledLedgerOf = (requestId: string) =>
    eventually(
      () => ledgerOf(requestId),
      (rows) => rows.length > 0,
    );

  it('generates through the SDK to OpenAI and charges the images × the price of their size, in the record and the ledger', async () => {
    const requestId = nextRequestId();
    const { data: result, response } = await client.images
      .generate(
        { model: 'dall-e', prompt: PROMPT, size: '1792x1024', quality: 'hd', style: 'natural', user: 'end-user-7' },
        { headers: { 'x-request-id': requestId } },
      )
      .withResponse();

    expect(result.data).toHaveLength(1);
    expect(result.data![0].url).toMatch(new RegExp(`^${FAKE_IMAGE_URL_PREFIX}`));
    expect(result.data![0].revised_prompt).toContain(PROMPT);
    expect(openApiSchemas()?.errors('ImagesResponse', result) ?? []).toEqual([]);
    expect(response.headers.get('x-switchyard-deployment')).toBe('openai/dall-e-3');
    const sent = openai.calls('/images/generations').at(-1)!;
    expect(sent.status).toBe(200);
    expect(sent.body).toEqual({
      model: 'dall-e-3',
      prompt: PROMPT,
      size: '1792x1024',
      quality: 'hd',
      style: 'natural',
      user: 'end-user-7',
    });

    const [record] = await recordsOf(gateway, requestId);
    expect(record).toMatchObject({
      api: 'images',
      endpoint: '/v1/images/generations',
      status: 200,
      model_served: 'dall-e',
      images: 1,
      image_size: '1792x1024',
      cost_micro_usd: 80_000,
      end_user: 'end-user-7',
    });
    expect(await settledLedgerOf(requestId)).toEqual([{ costMicros: 80_000, status: 'priced' }]);
  });

  it('charges n images at the default price when the size has none of its own, and counts them in the metrics', async () => {
    const requestId = nextRequestId();
    const result = await client.images.generate(
      { model: 'dall-e-small', prompt: PROMPT, n: 3, size: '512x512', response_format: 'b64_json' },
      { headers: { 'x-request-id': requestId } },
    );
    expect(result.data!.map((image) => image.b64_json)).toEqual([FAKE_PNG_BASE64, FAKE_PNG_BASE64, FAKE_PNG_BASE64]);
    const [record] = await recordsOf(gateway, requestId);
    expect(record).toMatchObject({ images: 3, image_size: '512x512', cost_micro_usd: 60_000 });
    expect(await settledLedgerOf(requestId)).toEqual([{ costMicros: 60_000, status: 'priced' }]);

    const metrics = await (
      await fetch(`${gateway.baseUrl}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
    ).text();
    expect(sampleValue(metrics, 'switchyard_images_generated_total', { gen_ai_request_model: 'dall-e-small' })).toBe(3);
    expect(
      sampleValue(metrics, 'switchyard_requests_total', {
        api: 'images',
        gen_ai_operation_name: 'generate_content',
        gen_ai_request_model: 'dall-e-small',
        http_response_status_code: '200',
      }),
    ).toBe(1);
  });

  it('records a GPT image model’s token usage, but charges per image', async () => {
    const requestId = nextRequestId();
    const result = await client.images.generate(
      { model: 'gpt-image', prompt: PROMPT, n: 2, size: '1024x1536' },
      { headers: { 'x-request-id': requestId } },
    );
    expect(result.usage).toMatchObject({ input_tokens: 50, output_tokens: 544 });
    const [record] = await recordsOf(gateway, requestId);
    expect(record).toMatchObject({
      images: 2,
      image_size: '1024x1536',
      prompt_tokens: 50,
      completion_tokens: 544,
      usage_source: 'provider',
      cost_micro_usd: 126_000,
    });
  });

  it('reaches an Azure deployment by its deployment URL, api-version and api-key', async () => {
    const requestId = nextRequestId();
    const result = await client.images.generate(
      { model: 'azure-dall-e', prompt: PROMPT, response_format: 'b64_json' },
      { headers: { 'x-request-id': requestId } },
    );
    expect(result.data![0].b64_json).toBe(FAKE_PNG_BASE64);
    const sent = azure.requests.at(-1)!;
    expect(sent.url).toBe('/openai/deployments/dall-e-3/images/generations?api-version=2024-10-21');
    expect(sent.headers['api-key']).toBe(AZURE_KEY);
    expect(sent.status).toBe(200);
    expect(azure.unauthorized).toEqual([]);
    const [record] = await recordsOf(gateway, requestId);
    expect(record).toMatchObject({ model_served: 'azure-dall-e', images: 1, image_size: null, cost_micro_usd: 50_000 });
    expect(await settledLedgerOf(requestId)).toEqual([{ costMicros: 50_000, status: 'priced' }]);
  });

  it('serves the demo’s mock image model: a tiny PNG as a data URL', async () => {
    const result = await client.images.generate({ model: 'mock-image', prompt: PROMPT, n: 2 });
    expect(result.data).toHaveLength(2);
    const png = Buffer.from(result.data![0].url!.replace(/^data:image\/png;base64,/, ''), 'base64');
    expect(png.subarray(1, 4).toString()).toBe('PNG');
  });

  it('refuses with 402 before any upstream call when the budget has no room for n × the price', async () => {
    const poor = await gateway.createKey();
    expect(
      (await gateway.admin('PUT', `/admin/projects/${poor.projectId}/budget`, { limit_usd: 0.1, period: 'monthly' }))
        .status,
    ).toBe(200);
    const poorClient = new OpenAI({
      apiKey: poor.key,
      baseURL: `${gateway.baseUrl}/v1`,
      maxRetries: 0,
      fetch: wire.fetch,
    });
    const callsBefore = openai.calls('/images/generations').length;

    // 3 × $0.04 = $0.12 > $0.10: refused whole, nothing sent upstream.
    const refused = await poorClient.images.generate({ model: 'dall-e', prompt: PROMPT, n: 3 }).catch((e) => e);
    expect(refused).toBeInstanceOf(OpenAI.APIError);
    expect(refused.status).toBe(402);
    expect(refused.error).toMatchObject({ type: 'insufficient_quota', code: 'insufficient_quota' });
    expect(openai.calls('/images/generations')).toHaveLength(callsBefore);

    // 2 × $0.02 and 1 × $0.04 fit; then $0.02 is left, less than one more $0.04 image.
    await poorClient.images.generate({ model: 'dall-e-small', prompt: PROMPT, n: 2, size: '1024x1024' });
    await poorClient.images.generate({ model: 'dall-e', prompt: PROMPT, size: '1024x1024' });
    const afterTwo = openai.calls('/images/generations').length;
    expect(afterTwo).toBe(callsBefore + 2);
    const spent = await eventually(
      async () => (await gateway.admin('GET', `/admin/projects/${poor.projectId}/balance`)).body,
      (balance) => balance.reserved_usd === 0,
    );
    expect(spent).toMatchObject({ spent_usd: 0.08, reserved_usd: 0 });
    const again = await poorClient.images.generate({ model: 'dall-e', prompt: PROMPT }).catch((e) => e);
    expect(again.status).toBe(402);
    expect(openai.calls('/images/generations')).toHaveLength(afterTwo);
  });

  it('answers 400 naming the kind and the route when a model is called on a route of another kind', async () => {
    const chatOnImages = await client.images.generate({ model: 'gpt-chat', prompt: PROMPT }).catch((e) => e);
    expect(chatOnImages.status).toBe(400);
    expect(chatOnImages.error).toMatchObject({ code: 'model_kind_mismatch', param: 'model' });
    expect(chatOnImages.error.message).toContain('kind: chat');
    expect(chatOnImages.error.message).toContain('/v1/images/generations');

    const imageOnChat = await client.chat.completions
      .create({ model: 'dall-e', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e) => e);
    expect(imageOnChat.status).toBe(400);
    expect(imageOnChat.error.code).toBe('model_kind_mismatch');
    expect(imageOnChat.error.message).toContain('kind: image');
    expect(imageOnChat.error.message).toContain('/v1/chat/completions');

    const chatOnEmbeddings = await client.embeddings.create({ model: 'gpt-chat', input: 'x' }).catch((e) => e);
    expect(chatOnEmbeddings.status).toBe(400);
    expect(chatOnEmbeddings.error.message).toContain('Embedding models declare `kind: embedding`');

    const imageOnMessages = await fetch(`${gateway.baseUrl}/v1/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${caller.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'dall-e', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(imageOnMessages.status).toBe(400);
    expect(((await imageOnMessages.json()) as any).error.message).toContain('/v1/messages');
    expect(openai.calls('/chat/completions')).toHaveLength(0);
  });

  it('refuses a malformed request before any upstream call', async () => {
    const callsBefore = openai.requests.length;
    const badN = await client.images.generate({ model: 'dall-e', prompt: PROMPT, n: 11 }).catch((e) => e);
    expect(badN.status).toBe(400);
    expect(badN.error.param).toBe('n');
    const noPrompt = await client.images.generate({ model: 'dall-e', prompt: '' }).catch((e) => e);
    expect(noPrompt.error.param).toBe('prompt');
    expect(openai.requests).toHaveLength(callsBefore);
  });

  it('keeps no image bytes, image URL or prompt in the evidence, the usage report or the logs', async () => {
    const requestIds = [nextRequestId(), nextRequestId()];
    await client.images.generate({ model: 'dall-e', prompt: PROMPT }, { headers: { 'x-request-id': requestIds[0] } });
    await client.images.generate(
      { model: 'dall-e-small', prompt: PROMPT, response_format: 'b64_json' },
      { headers: { 'x-request-id': requestIds[1] } },
    );
    for (const requestId of requestIds) await recordsOf(gateway, requestId);
    const rows: unknown[] = await gateway.gateway.app
      .get(DataSource)
      .query(`SELECT row_to_json(r)::text AS row FROM request_records r WHERE api = 'images'`);
    const usage = await gateway.admin('GET', `/admin/usage?group_by=model&key_id=${caller.id}`);
    const ledger: unknown[] = await gateway.gateway.app.get(DataSource).query(`SELECT * FROM ledger_entries`);
    const stored = JSON.stringify([rows, usage.body, ledger, gateway.logs]);
    expect(rows.length).toBeGreaterThan(0);
    expect(stored).not.toContain(FAKE_PNG_BASE64.slice(0, 40));
    expect(stored).not.toContain('fake-images.example');
    expect(stored).not.toContain('very small whale');
    expect(usage.body.data.find((row: any) => row.model === 'dall-e')).toMatchObject({ images: expect.any(Number) });
  });

  describe('retries: never once the upstream may have started on the job', () => {
    it('a timeout after the request was sent is not retried, nor moved to a fallback', async () => {
      flaky.script({ headersDelayMs: 3_000 });
      const backupBefore = openai.calls('/images/generations').length;
      const failed = await client.images.generate({ model: 'flaky-timeout', prompt: PROMPT }).catch((e) => e);
      expect(failed.status).toBe(504);
      expect(flaky.calls('/images/generations')).toHaveLength(1);
      expect(openai.calls('/images/generations')).toHaveLength(backupBefore);
    });

    it('a 5xx after the request was sent is not retried either', async () => {
      flaky.script({ status: 500 });
      const backupBefore = openai.calls('/images/generations').length;
      const failed = await client.images.generate({ model: 'flaky-timeout', prompt: PROMPT }).catch((e) => e);
      expect(failed.status).toBe(502);
      expect(flaky.calls('/images/generations')).toHaveLength(2);
      expect(openai.calls('/images/generations')).toHaveLength(backupBefore);
    });

    it('a refusal (429) moves to the fallback, charged at the fallback’s price', async () => {
      flaky.script({ status: 429, headers: { 'retry-after': '1' } });
      const requestId = nextRequestId();
      const { data: result, response } = await client.images
        .generate({ model: 'flaky-refusal', prompt: PROMPT }, { headers: { 'x-request-id': requestId } })
        .withResponse();
      expect(result.data).toHaveLength(1);
      expect(response.headers.get('x-switchyard-model')).toBe('backup-image');
      expect(response.headers.get('x-switchyard-fallback-reason')).toBe('upstream_429');
      const [record] = await recordsOf(gateway, requestId);
      expect(record).toMatchObject({ model_served: 'backup-image', cost_micro_usd: 16_000, images: 1 });
      expect(record.attempts.map((attempt: any) => [attempt.deployment, attempt.status])).toEqual([
        ['flaky/dall-e-3', 429],
        ['openai/dall-e-2', 200],
      ]);
    });
  });
});

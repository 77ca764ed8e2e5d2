import OpenAI from 'openai';
import { FakeOpenAiServer } from '../fakes/fake-openai.server';
import { wireCheck } from '../utils/openai-wire';
import { startTestGateway, TestGateway } from '../utils/test-gateway';

const KEY = 'sk-dialect-provider-key';

describe('OpenAI-wire dialects: what differs from OpenAI is absorbed by the gateway', () => {
  const azure = new FakeOpenAiServer(KEY, 'azure');
  const deepseek = new FakeOpenAiServer(KEY, 'deepseek');
  let gateway: TestGateway;
  let client: OpenAI;
  // Every body and stream event received is checked against OpenAI's published OpenAPI document.
  const wire = wireCheck();

  beforeAll(async () => {
    const [azureUrl, deepseekUrl] = await Promise.all([azure.start(), deepseek.start()]);
    gateway = await startTestGateway({
      catalog: {
        providers: [
          { id: 'azure', type: 'azure-openai', base_url: azureUrl, api_key: KEY, api_version: '2024-10-21' },
          { id: 'deepseek', type: 'deepseek', base_url: deepseekUrl, api_key: KEY },
        ],
        models: [
          { name: 'azure-chat', deployments: [{ provider: 'azure', model: 'prod-gpt4o' }] },
          { name: 'reasoner', deployments: [{ provider: 'deepseek', model: 'deepseek-reasoner' }] },
        ],
      },
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
    await Promise.all([azure.stop(), deepseek.stop()]);
  });

  const messages = [{ role: 'user' as const, content: 'hello' }];

  it('Azure: calls the deployment URL with api-version and the api-key header, and drops the empty-choices preamble', async () => {
    const stream = await client.chat.completions.create({ model: 'azure-chat', messages, stream: true });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.every((chunk) => chunk.choices.length > 0)).toBe(true);
    const sent = azure.requests.at(-1)!;
    expect(sent.url).toBe('/openai/deployments/prod-gpt4o/chat/completions?api-version=2024-10-21');
    expect(sent.headers['api-key']).toBe(KEY);
    expect(sent.headers.authorization).toBeUndefined();
  });

  it('DeepSeek: passes reasoning_content through and reports cache hits as cached_tokens', async () => {
    const full = await client.chat.completions.create({ model: 'reasoner', messages });
    expect((full.choices[0].message as unknown as { reasoning_content: string }).reasoning_content).toBe(
      'Thinking it over.',
    );
    expect(full.usage?.prompt_tokens_details?.cached_tokens).toBe(4);

    let reasoning = '';
    let usage: OpenAI.CompletionUsage | undefined;
    const stream = await client.chat.completions.create({
      model: 'reasoner',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    for await (const chunk of stream) {
      reasoning += (chunk.choices[0]?.delta as { reasoning_content?: string } | undefined)?.reasoning_content ?? '';
      usage = chunk.usage ?? usage;
    }
    expect(reasoning).toBe('Thinking it over.');
    expect(usage).toEqual(full.usage);
  });

  it('DeepSeek: 402 Insufficient Balance of the provider account is 502 upstream_quota_exhausted, not our 402', async () => {
    deepseek.script({
      status: 402,
      errorBody: {
        error: { message: 'Insufficient Balance', type: 'unknown_error', param: null, code: 'invalid_request_error' },
      },
    });
    const error = await client.chat.completions.create({ model: 'reasoner', messages }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 502, code: 'upstream_quota_exhausted' });
    expect((error as Error).message).toContain('Insufficient Balance');
  });
});

import OpenAI from 'openai';
import { wireCheck } from '../utils/openai-wire';
import { startTestGateway, TestGateway } from '../utils/test-gateway';

/**
 * The built-in mock provider, which the zero-setup start and the demo catalog serve, through the official
 * OpenAI SDK: it must answer as OpenAI would, streamed or not, every body checked against OpenAI's spec.
 */
describe('provider conformance: mock', () => {
  let gateway: TestGateway;
  let client: OpenAI;
  const wire = wireCheck('mock');

  beforeAll(async () => {
    gateway = await startTestGateway({
      catalog: {
        providers: [{ id: 'mock', type: 'mock', chunk_delay_ms: 0 }],
        models: [
          { name: 'chat', deployments: [{ provider: 'mock', model: 'mock-chat' }] },
          { name: 'embed', kind: 'embedding', deployments: [{ provider: 'mock', model: 'mock-embed' }] },
        ],
      },
    });
    const { key } = await gateway.createKey();
    client = new OpenAI({ apiKey: key, baseURL: `${gateway.baseUrl}/v1`, maxRetries: 0, fetch: wire.fetch });
  });

  afterAll(async () => {
    await gateway?.close();
  });

  const messages = [{ role: 'user' as const, content: 'Say hello to Oslo' }];

  it('answers the same text and usage streamed or not', async () => {
    const full = await client.chat.completions.create({ model: 'chat', messages });
    expect(full.choices[0]).toMatchObject({ finish_reason: 'stop', message: { role: 'assistant', refusal: null } });
    expect(full.choices[0].message.content).toContain('Say hello to Oslo');

    const stream = await client.chat.completions.create({
      model: 'chat',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      usage = chunk.usage ?? usage;
    }
    expect(text).toBe(full.choices[0].message.content);
    expect(usage).toEqual(full.usage);
  });

  it('serves embeddings as floats and as base64, the same vector either way', async () => {
    const floats = await client.embeddings.create({ model: 'embed', input: 'Oslo', encoding_format: 'float' });
    // The SDK asks for base64 by default and decodes it.
    const decoded = await client.embeddings.create({ model: 'embed', input: 'Oslo' });
    expect(floats.data[0].embedding).toHaveLength(8);
    decoded.data[0].embedding.forEach((value, i) => expect(value).toBeCloseTo(floats.data[0].embedding[i], 6));
  });

  it('refuses a wrong gateway key with a 401 in OpenAI’s error shape', async () => {
    const stranger = new OpenAI({ apiKey: 'sk-not-a-key', baseURL: `${gateway.baseUrl}/v1`, fetch: wire.fetch });
    await expect(stranger.chat.completions.create({ model: 'chat', messages })).rejects.toMatchObject({ status: 401 });
  });

  it('lists and retrieves its models', async () => {
    const ids = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids.sort()).toEqual(['chat', 'embed']);
    expect(await client.models.retrieve('chat')).toMatchObject({ id: 'chat', object: 'model' });
  });
});

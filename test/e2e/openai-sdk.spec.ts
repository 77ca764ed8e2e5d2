import OpenAI from 'openai';
import { FakeOpenAiServer } from '../fakes/fake-openai.server';
import { wireCheck } from '../utils/openai-wire';
import { openAiCatalog, startTestGateway, TestGateway } from '../utils/test-gateway';

const PROVIDER_KEY = 'sk-canary-provider-key-7f3a9c1e5b';

describe('the official OpenAI SDK against the gateway (OpenAI-compatible upstream)', () => {
  let fake: FakeOpenAiServer;
  let gateway: TestGateway;
  let client: OpenAI;
  let gatewayKey: string;
  // Every body and stream event received is checked against OpenAI's published OpenAPI document.
  const wire = wireCheck();

  beforeAll(async () => {
    fake = new FakeOpenAiServer(PROVIDER_KEY);
    const upstream = await fake.start();
    gateway = await startTestGateway({
      catalog: openAiCatalog(upstream, PROVIDER_KEY, [
        { name: 'gpt-test', aliases: ['fast'], deployments: [{ provider: 'openai', model: 'gpt-upstream' }] },
        {
          name: 'embed-test',
          kind: 'embedding',
          deployments: [{ provider: 'openai', model: 'text-embedding-3-small' }],
        },
        { name: 'other-model', deployments: [{ provider: 'openai', model: 'other' }] },
      ]),
    });
    gatewayKey = (await gateway.createKey({ models: ['gpt-test', 'embed-test'] })).key;
    client = new OpenAI({ apiKey: gatewayKey, baseURL: `${gateway.baseUrl}/v1`, maxRetries: 0, fetch: wire.fetch });
  });

  afterAll(async () => {
    await gateway?.close();
    await fake?.stop();
  });

  const messages = [{ role: 'user' as const, content: 'Say hello' }];

  it('answers a non-stream chat completion and names the served route in headers', async () => {
    const { data, response } = await client.chat.completions.create({ model: 'gpt-test', messages }).withResponse();
    expect(data.choices[0].message.content).toBe('Echo: Say hello');
    expect(data.choices[0].finish_reason).toBe('stop');
    expect(data.usage?.total_tokens).toBeGreaterThan(0);
    expect(response.headers.get('x-switchyard-model')).toBe('gpt-test');
    expect(response.headers.get('x-switchyard-deployment')).toBe('openai/gpt-upstream');
    expect(response.headers.get('x-switchyard-attempts')).toBe('1');
    expect(response.headers.get('x-request-id')).toMatch(/^req_/);
    expect(fake.calls('/chat/completions').at(-1)!.body.model).toBe('gpt-upstream');
  });

  it('streams the same text the non-stream call returns, through the SDK iterator', async () => {
    const full = await client.chat.completions.create({ model: 'gpt-test', messages });
    const stream = await client.chat.completions.create({ model: 'gpt-test', messages, stream: true });
    let text = '';
    let finish: string | null = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(text).toBe(full.choices[0].message.content);
    expect(finish).toBe('stop');
  });

  it('asks the upstream for usage on every stream, and returns the usage chunk only when the client asked', async () => {
    const collect = async (includeUsage: boolean) => {
      const stream = await client.chat.completions.create({
        model: 'gpt-test',
        messages,
        stream: true,
        ...(includeUsage ? { stream_options: { include_usage: true } } : {}),
      });
      const chunks = [];
      for await (const chunk of stream) chunks.push(chunk);
      expect(fake.calls('/chat/completions').at(-1)!.body.stream_options).toEqual({ include_usage: true });
      return chunks;
    };
    const without = await collect(false);
    expect(without.some((chunk) => chunk.usage)).toBe(false);
    expect(without.every((chunk) => chunk.choices.length > 0)).toBe(true);
    const withUsage = await collect(true);
    const last = withUsage.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage?.total_tokens).toBeGreaterThan(0);
    const full = await client.chat.completions.create({ model: 'gpt-test', messages });
    expect(last.usage).toEqual(full.usage);
  });

  it('passes a tool-call request and the streamed tool-call deltas through intact', async () => {
    const tools = [
      {
        type: 'function' as const,
        function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
      },
    ];
    fake.script({
      toolCalls: [
        { name: 'get_weather', arguments: '{"city":"Oslo"}' },
        { name: 'get_time', arguments: '{"tz":"CET"}' },
      ],
    });
    const stream = await client.chat.completions.create({
      model: 'gpt-test',
      messages,
      tools,
      tool_choice: 'auto',
      stream: true,
      parallel_tool_calls: true,
    });
    const calls: Record<number, { id?: string; name?: string; arguments: string }> = {};
    let finish: string | null = null;
    for await (const chunk of stream) {
      for (const delta of chunk.choices[0]?.delta.tool_calls ?? []) {
        const call = (calls[delta.index] ??= { arguments: '' });
        call.id ??= delta.id;
        call.name ??= delta.function?.name;
        call.arguments += delta.function?.arguments ?? '';
      }
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(calls).toEqual({
      0: { id: 'call_fake0', name: 'get_weather', arguments: '{"city":"Oslo"}' },
      1: { id: 'call_fake1', name: 'get_time', arguments: '{"tz":"CET"}' },
    });
    expect(finish).toBe('tool_calls');
    const sent = fake.calls('/chat/completions').at(-1)!.body;
    expect(sent.tools).toEqual(tools);
    expect(sent.tool_choice).toBe('auto');
    expect(sent.parallel_tool_calls).toBe(true);
  });

  it('forwards request fields the gateway does not know about untouched', async () => {
    await client.chat.completions.create({
      model: 'gpt-test',
      messages,
      seed: 7,
      metadata: { team: 'x' },
      ...({ brand_new_param: { a: [1, 2] } } as object),
    });
    const sent = fake.calls('/chat/completions').at(-1)!.body;
    expect(sent).toMatchObject({ seed: 7, metadata: { team: 'x' }, brand_new_param: { a: [1, 2] } });
  });

  it('serves embeddings', async () => {
    // The SDK asks for base64 by default and decodes it; floats must survive the round trip.
    const result = await client.embeddings.create({ model: 'embed-test', input: ['a', 'bb'] });
    expect(result.data.map((d) => d.index)).toEqual([0, 1]);
    expect(result.data[1].embedding).toEqual([1, 0.5, 0.25]);
    expect(fake.calls('/embeddings').at(-1)!.body.model).toBe('text-embedding-3-small');
  });

  it('lists only the models the key may use (with their aliases) and refuses the others', async () => {
    const ids = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids.sort()).toEqual(['embed-test', 'fast', 'gpt-test']);
    expect((await client.models.retrieve('gpt-test')).id).toBe('gpt-test');
    await expect(client.models.retrieve('other-model')).rejects.toMatchObject({
      status: 403,
      code: 'model_not_allowed',
    });
    await expect(client.chat.completions.create({ model: 'other-model', messages })).rejects.toMatchObject({
      status: 403,
      code: 'model_not_allowed',
    });
    await expect(client.chat.completions.create({ model: 'no-such-model', messages })).rejects.toMatchObject({
      status: 404,
      code: 'model_not_found',
    });
  });

  it('resolves aliases for a key allowed every model', async () => {
    const { key } = await gateway.createKey();
    const open = new OpenAI({ apiKey: key, baseURL: `${gateway.baseUrl}/v1`, maxRetries: 0, fetch: wire.fetch });
    const { data, response } = await open.chat.completions.create({ model: 'fast', messages }).withResponse();
    expect(data.choices[0].message.content).toBe('Echo: Say hello');
    expect(response.headers.get('x-switchyard-model')).toBe('gpt-test');
    const ids = [];
    for await (const model of open.models.list()) ids.push(model.id);
    expect(ids.sort()).toEqual(['embed-test', 'fast', 'gpt-test', 'other-model']);
  });

  it('only ever shows the upstream the provider key, and logs neither key', async () => {
    expect(fake.unauthorized).toEqual([]);
    for (const request of fake.requests) {
      expect(JSON.stringify(request.headers)).not.toContain(gatewayKey);
      expect(request.headers.authorization).toBe(`Bearer ${PROVIDER_KEY}`);
    }
    const logs = gateway.logs.join('\n');
    expect(logs).toContain('/v1/chat/completions');
    expect(logs).not.toContain(gatewayKey);
    expect(logs).not.toContain(PROVIDER_KEY);
  });
});

import OpenAI from 'openai';
import { wireCheck } from '../utils/openai-wire';
import { startTestGateway, TestGateway } from '../utils/test-gateway';
import {
  anthropicDriver,
  geminiDriver,
  openAiWireDriver,
  PROVIDER_KEY,
  ProviderDriver,
  driverCatalog,
} from './provider-drivers';

/**
 * The same conversation through every provider, with the official OpenAI SDK as the client: the results
 * must be the same OpenAI-shaped answers, streamed or not, whatever wire format is behind the gateway.
 */
const DRIVERS: ProviderDriver[] = [
  openAiWireDriver('openai', 'openai'),
  openAiWireDriver('azure-deployments', 'azure', { api_version: '2024-10-21' }),
  openAiWireDriver('azure-v1', 'azure'),
  openAiWireDriver('deepseek', 'deepseek'),
  anthropicDriver(),
  geminiDriver(),
];

const TOOLS = [
  {
    type: 'function' as const,
    function: {
      name: 'get_weather',
      description: 'Weather now',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    },
  },
  {
    type: 'function' as const,
    function: {
      name: 'get_time',
      description: 'Local time',
      parameters: { type: 'object', properties: { tz: { type: 'string' } }, required: ['tz'] },
    },
  },
];

describe.each(DRIVERS.map((driver) => [driver.name, driver] as const))('provider conformance: %s', (_name, driver) => {
  let gateway: TestGateway;
  let client: OpenAI;
  let gatewayKey: string;
  // Every body and stream event the SDK receives is checked against OpenAI's published OpenAPI document.
  const wire = wireCheck(driver.name);

  beforeAll(async () => {
    await driver.start();
    gateway = await startTestGateway({ catalog: driverCatalog(driver) });
    gatewayKey = (await gateway.createKey()).key;
    client = new OpenAI({ apiKey: gatewayKey, baseURL: `${gateway.baseUrl}/v1`, maxRetries: 0, fetch: wire.fetch });
  });

  afterAll(async () => {
    await gateway?.close();
    await driver.stop();
  });

  const conversation = [
    { role: 'system' as const, content: 'Be brief.' },
    { role: 'user' as const, content: 'Say hello to Oslo' },
  ];

  async function streamed(request: Omit<OpenAI.ChatCompletionCreateParamsStreaming, 'model' | 'stream'>) {
    const stream = await client.chat.completions.create({ model: 'chat', stream: true, ...request });
    let text = '';
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined;
    const calls: Record<number, { id?: string; name?: string; arguments: string }> = {};
    for await (const chunk of stream) {
      usage = chunk.usage ?? usage;
      const choice = chunk.choices[0];
      if (!choice) continue;
      text += choice.delta.content ?? '';
      finish = choice.finish_reason ?? finish;
      for (const delta of choice.delta.tool_calls ?? []) {
        const call = (calls[delta.index] ??= { arguments: '' });
        if (delta.id) {
          expect(call.id).toBeUndefined();
          call.id = delta.id;
        }
        call.name ??= delta.function?.name;
        call.arguments += delta.function?.arguments ?? '';
      }
    }
    return { text, finish, usage, calls };
  }

  it('answers text non-stream, and the stream carries the same text, finish reason and usage', async () => {
    const full = await client.chat.completions.create({ model: 'chat', messages: conversation });
    expect(full.object).toBe('chat.completion');
    expect(full.choices[0].message.role).toBe('assistant');
    expect(full.choices[0].message.content).toBeTruthy();
    expect(full.choices[0].finish_reason).toBe('stop');
    expect(full.usage!.total_tokens).toBe(full.usage!.prompt_tokens + full.usage!.completion_tokens);

    const stream = await streamed({ messages: conversation, stream_options: { include_usage: true } });
    expect(stream.text).toBe(full.choices[0].message.content);
    expect(stream.finish).toBe('stop');
    expect(stream.usage).toEqual(full.usage);
  });

  it('reassembles two parallel tool calls after a text block with indices 0 and 1 and valid JSON arguments', async () => {
    driver.scriptToolCalls('Let me check.', [
      { name: 'get_weather', arguments: '{"city":"Oslo"}' },
      { name: 'get_time', arguments: '{"tz":"Europe/Oslo"}' },
    ]);
    const result = await streamed({ messages: conversation, tools: TOOLS });
    expect(Object.keys(result.calls)).toEqual(['0', '1']);
    expect(result.calls[0]).toMatchObject({ id: expect.any(String), name: 'get_weather' });
    expect(result.calls[1]).toMatchObject({ id: expect.any(String), name: 'get_time' });
    expect(JSON.parse(result.calls[0].arguments)).toEqual({ city: 'Oslo' });
    expect(JSON.parse(result.calls[1].arguments)).toEqual({ tz: 'Europe/Oslo' });
    expect(result.finish).toBe('tool_calls');

    driver.scriptToolCalls('', [{ name: 'get_weather', arguments: '{"city":"Oslo"}' }]);
    const full = await client.chat.completions.create({ model: 'chat', messages: conversation, tools: TOOLS });
    expect(full.choices[0].finish_reason).toBe('tool_calls');
    expect(
      JSON.parse(
        full.choices[0].message.tool_calls![0].type === 'function'
          ? full.choices[0].message.tool_calls![0].function.arguments
          : '',
      ),
    ).toEqual({ city: 'Oslo' });
  });

  it.each(['length', 'content_filter'] as const)(
    'reports an answer cut off as finish_reason %s, streamed or not',
    async (reason) => {
      driver.scriptCutOff('It is 4°C and', reason);
      const full = await client.chat.completions.create({ model: 'chat', messages: conversation });
      expect(full.choices[0].finish_reason).toBe(reason);
      expect(full.choices[0].message.content).toBe('It is 4°C and');

      driver.scriptCutOff('It is 4°C and', reason);
      const stream = await streamed({ messages: conversation });
      expect(stream.finish).toBe(reason);
      expect(stream.text).toBe('It is 4°C and');
    },
  );

  it('carries a multi-turn tool conversation through to an answer', async () => {
    const answer = await client.chat.completions.create({
      model: 'chat',
      tools: TOOLS,
      messages: [
        ...conversation,
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
            { id: 'call_2', type: 'function', function: { name: 'get_time', arguments: '{"tz":"Europe/Oslo"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '4°C, light rain' },
        { role: 'tool', tool_call_id: 'call_2', content: '14:05' },
      ],
    });
    expect(answer.choices[0].finish_reason).toBe('stop');
    expect(answer.choices[0].message.content).toBeTruthy();
  });

  // Rate limiting last: a 429 cools the deployment for its retry-after.
  it.each([
    ['bad_request', 400, undefined],
    ['overloaded', 503, 'upstream_unavailable'],
    ['server_error', 502, 'upstream_error'],
    ['rate_limited', 429, 'upstream_rate_limited'],
  ] as const)('maps an upstream %s error to %i', async (kind, status, code) => {
    driver.scriptError(kind);
    const error = await client.chat.completions
      .create({ model: 'chat', messages: conversation })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(status);
    if (code) expect(error).toMatchObject({ code });
    else expect(error).toMatchObject({ type: 'invalid_request_error' });
  });

  it('reports a rejected provider key as 502 upstream_auth_error and never leaks a key', async () => {
    driver.breakCredentials();
    const error = await client.chat.completions
      .create({ model: 'chat', messages: conversation })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 502, code: 'upstream_auth_error' });
    const logs = gateway.logs.join('\n');
    expect(logs).not.toContain(PROVIDER_KEY);
    expect(logs).not.toContain(gatewayKey);
  });
});

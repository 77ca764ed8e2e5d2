import Anthropic from '@anthropic-ai/sdk';
import {
  anthropicDriver,
  geminiDriver,
  openAiWireDriver,
  PROVIDER_KEY,
  ProviderDriver,
  driverCatalog,
} from '../conformance/provider-drivers';
import { FakeAnthropicServer } from '../fakes/fake-anthropic.server';
import { eventually } from '../utils/eventually';
import { recordsOf } from '../utils/evidence';
import { startTestGateway, TestGateway } from '../utils/test-gateway';

/**
 * `POST /v1/messages` through Anthropic's own SDK, as Claude Code and Anthropic-SDK services call it, with the
 * model served by each wire format behind the gateway: translated for OpenAI-format and Gemini deployments.
 */
const DRIVERS: ProviderDriver[] = [openAiWireDriver('openai', 'openai'), geminiDriver(), anthropicDriver()];

const TOOLS: Anthropic.Tool[] = [
  {
    name: 'get_weather',
    description: 'Weather now',
    input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
  {
    name: 'get_time',
    description: 'Local time',
    input_schema: { type: 'object', properties: { tz: { type: 'string' } }, required: ['tz'] },
  },
];

describe.each(DRIVERS.map((driver) => [driver.name, driver] as const))('Anthropic SDK via %s', (_name, driver) => {
  let gateway: TestGateway;
  let client: Anthropic;
  let key: string;

  beforeAll(async () => {
    await driver.start();
    gateway = await startTestGateway({
      catalog: driverCatalog(driver, {
        aliases: ['claude-opus-4-8'],
        pricing: { input_per_mtok: 1, output_per_mtok: 2 },
      }),
    });
    key = (await gateway.createKey()).key;
    // The SDK's base URL is the site root: it appends /v1/messages itself.
    client = new Anthropic({ apiKey: key, baseURL: gateway.baseUrl, maxRetries: 0 });
  });

  afterAll(async () => {
    await gateway?.close();
    await driver.stop();
  });

  it('answers messages.create, and messages.stream ends with the same message', async () => {
    driver.scriptToolCalls('Hello, Oslo!', []);
    const message = await client.messages.create({
      model: 'claude-opus-4-8',
      max_tokens: 100,
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'Say hello' }],
    });
    expect(message).toMatchObject({
      type: 'message',
      role: 'assistant',
      // A translated answer names the model asked for; Anthropic's own answer passes through with its model id.
      model: driver.name === 'anthropic' ? expect.stringMatching(/^claude-sonnet-4-5/) : 'claude-opus-4-8',
      stop_reason: 'end_turn',
      content: [{ type: 'text', text: 'Hello, Oslo!' }],
    });
    expect(message.usage.input_tokens).toBeGreaterThan(0);
    expect(message.usage.output_tokens).toBeGreaterThan(0);

    driver.scriptToolCalls('Hello, Oslo!', []);
    const stream = client.messages.stream({
      model: 'claude-opus-4-8',
      max_tokens: 100,
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'Say hello' }],
    });
    const events: string[] = [];
    stream.on('streamEvent', (event) => events.push(event.type));
    const final = await stream.finalMessage();
    expect(final.content).toEqual(message.content);
    expect(final.stop_reason).toBe('end_turn');
    expect(final.usage.output_tokens).toBe(message.usage.output_tokens);
    expect(events[0]).toBe('message_start');
    expect(events.slice(-2)).toEqual(['message_delta', 'message_stop']);
  });

  it('round-trips two parallel tool calls as consecutive tool_use blocks, then takes their results', async () => {
    driver.scriptToolCalls('Checking.', [
      { name: 'get_weather', arguments: '{"city":"Oslo"}' },
      { name: 'get_time', arguments: '{"tz":"Europe/Oslo"}' },
    ]);
    const stream = client.messages.stream({
      model: 'chat',
      max_tokens: 200,
      tools: TOOLS,
      messages: [{ role: 'user', content: 'Weather and time in Oslo?' }],
    });
    const first = await stream.finalMessage();
    expect(first.stop_reason).toBe('tool_use');
    const uses = first.content.filter((block): block is Anthropic.ToolUseBlock => block.type === 'tool_use');
    expect(uses.map((use) => [use.name, use.input])).toEqual([
      ['get_weather', { city: 'Oslo' }],
      ['get_time', { tz: 'Europe/Oslo' }],
    ]);
    expect(new Set(uses.map((use) => use.id)).size).toBe(2);

    driver.scriptToolCalls('Sunny, 14:00.', []);
    const second = await client.messages.create({
      model: 'chat',
      max_tokens: 200,
      tools: TOOLS,
      messages: [
        { role: 'user', content: 'Weather and time in Oslo?' },
        { role: 'assistant', content: first.content },
        {
          role: 'user',
          content: uses.map((use) => ({
            type: 'tool_result' as const,
            tool_use_id: use.id,
            content: use.name === 'get_weather' ? 'sunny' : '14:00',
          })),
        },
      ],
    });
    expect(second.content).toEqual([{ type: 'text', text: 'Sunny, 14:00.' }]);
  });

  it('names what only Anthropic understands in the evidence record when another provider serves, and sends it to Anthropic', async () => {
    driver.scriptToolCalls('Thought about it.', []);
    const { response } = await client.messages
      .create({
        model: 'chat',
        max_tokens: 2048,
        thinking: { type: 'enabled', budget_tokens: 1024 },
        messages: [{ role: 'user', content: 'Think' }],
      })
      .withResponse();
    const [record] = await recordsOf(gateway, response.headers.get('x-request-id')!);
    if (driver.name === 'anthropic') expect(record.dropped).toBeNull();
    else expect(record.dropped).toEqual(expect.arrayContaining(['thinking']));
  });

  it("counts tokens: Anthropic's own count from an Anthropic deployment, else a local estimate with no upstream call", async () => {
    const before = driver.upstreamCalls();
    const { data: counted, response } = await client.messages
      .countTokens({ model: 'chat', messages: [{ role: 'user', content: 'Hello there, how are you today?' }] })
      .withResponse();
    if (driver.name === 'anthropic') {
      expect(counted.input_tokens).toBe(new FakeAnthropicServer('unused').countedTokens);
      expect(response.headers.get('x-switchyard-token-count')).toBe('upstream');
      return;
    }
    expect(response.headers.get('x-switchyard-token-count')).toBe('estimate');
    expect(counted.input_tokens).toBeGreaterThan(5);
    expect(counted.input_tokens).toBeLessThan(30);
    expect(driver.upstreamCalls()).toBe(before);
  });

  it('raises the SDK error classes in Anthropic shape: bad key, unknown model, upstream rate limit', async () => {
    const stranger = new Anthropic({ apiKey: 'sy-test-not-a-real-key', baseURL: gateway.baseUrl, maxRetries: 0 });
    await expect(
      stranger.messages.create({ model: 'chat', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
    ).rejects.toMatchObject({
      status: 401,
      error: { type: 'error', error: { type: 'authentication_error' } },
    });
    await expect(
      client.messages.create({ model: 'claude-opus-9', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
    ).rejects.toBeInstanceOf(Anthropic.NotFoundError);
    driver.scriptError('rate_limited');
    const limited = client.messages.create({
      model: 'chat',
      max_tokens: 10,
      messages: [{ role: 'user', content: 'hi' }],
    });
    await expect(limited).rejects.toBeInstanceOf(Anthropic.RateLimitError);
    await expect(limited).rejects.toMatchObject({ error: { error: { type: 'rate_limit_error' } } });
  });

  it('answers an exhausted budget with 402 billing_error, which the SDK does not retry', async () => {
    const broke = await gateway.createKey();
    await gateway.admin('PUT', `/admin/keys/${broke.id}/budget`, { limit_usd: 0.000001, period: 'monthly' });
    const retrying = new Anthropic({ apiKey: broke.key, baseURL: gateway.baseUrl, maxRetries: 2 });
    const before = driver.upstreamCalls();
    const refused = retrying.messages.create({
      model: 'chat',
      max_tokens: 1000,
      messages: [{ role: 'user', content: 'hi' }],
    });
    await expect(refused).rejects.toMatchObject({ status: 402, error: { error: { type: 'billing_error' } } });
    expect(driver.upstreamCalls()).toBe(before);
    const records = await eventually(
      () => gateway.admin('GET', `/admin/requests?key_id=${broke.id}`),
      (list) => list.body.data.length > 0,
    );
    expect(records.body.data).toMatchObject([
      { status: 402, error_code: 'insufficient_quota', endpoint: '/v1/messages' },
    ]);
  });
});

describe('Anthropic SDK via an Anthropic deployment: native pass-through', () => {
  const fake = new FakeAnthropicServer(PROVIDER_KEY);
  let gateway: TestGateway;
  let client: Anthropic;

  beforeAll(async () => {
    const upstream = await fake.start();
    gateway = await startTestGateway({
      catalog: {
        providers: [{ id: 'anthropic', type: 'anthropic', base_url: upstream, api_key: PROVIDER_KEY }],
        models: [
          {
            name: 'claude',
            aliases: ['claude-opus-4-8'],
            deployments: [{ provider: 'anthropic', model: 'claude-sonnet-4-5' }],
          },
        ],
      },
    });
    client = new Anthropic({ apiKey: (await gateway.createKey()).key, baseURL: gateway.baseUrl, maxRetries: 0 });
  });

  afterAll(async () => {
    await gateway?.close();
    await fake.stop();
  });

  /** What Claude Code sends that no chat upstream could carry: cached system blocks, thinking, betas, metadata. */
  const request = {
    model: 'claude-opus-4-8',
    max_tokens: 2048,
    system: [{ type: 'text' as const, text: 'You are a coding agent.', cache_control: { type: 'ephemeral' as const } }],
    thinking: { type: 'enabled' as const, budget_tokens: 1024 },
    metadata: { user_id: 'user_abc' },
    messages: [
      {
        role: 'user' as const,
        content: [{ type: 'text' as const, text: 'Hello', cache_control: { type: 'ephemeral' as const } }],
      },
    ],
  };

  it('sends the client’s body unchanged but for the model, with its version and betas, and returns the answer as it came', async () => {
    const message = await client.beta.messages.create({ ...request, betas: ['interleaved-thinking-2025-05-14'] });
    const [seen] = fake.calls('/v1/messages').slice(-1);
    expect(seen.body).toEqual({ ...request, model: 'claude-sonnet-4-5' });
    expect(seen.headers['anthropic-beta']).toBe('interleaved-thinking-2025-05-14');
    expect(seen.headers['x-api-key']).toBe(PROVIDER_KEY);
    expect(message.type).toBe('message');
    expect(message.usage.input_tokens).toBeGreaterThan(0);
  });

  it('streams Anthropic’s own events through, and the stream equals the non-stream answer', async () => {
    const whole = await client.messages.create(request);
    const streamed = await client.messages.stream(request).finalMessage();
    expect(fake.calls('/v1/messages').slice(-1)[0].body).toEqual({
      ...request,
      model: 'claude-sonnet-4-5',
      stream: true,
    });
    expect(streamed.content).toEqual(whole.content);
    expect(streamed.usage.output_tokens).toBe(whole.usage.output_tokens);
  });

  it('charges a stream cut after message_start as one whose usage never came, not as a one-token answer', async () => {
    fake.script({ endAfterEvents: 3 });
    const { data: stream, response } = await client.messages.create({ ...request, stream: true }).withResponse();
    await expect(
      (async () => {
        for await (const _event of stream);
      })(),
    ).rejects.toThrow();
    const [record] = await recordsOf(gateway, response.headers.get('x-request-id')!);
    expect(record).toMatchObject({ usage_source: 'estimated', error_code: 'upstream_error' });
  });
});

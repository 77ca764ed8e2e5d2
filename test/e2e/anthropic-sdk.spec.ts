import Anthropic from '@anthropic-ai/sdk';
import { anthropicDriver, geminiDriver, openAiWireDriver, ProviderDriver } from '../conformance/provider-drivers';
import { eventually } from '../utils/evidence';
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
      catalog: {
        providers: [driver.providerConfig()],
        models: [
          {
            name: 'chat',
            aliases: ['claude-opus-4-8'],
            deployments: [{ provider: driver.name, model: driver.upstreamModel }],
            retry: { max_attempts: 1 },
            pricing: { input_per_mtok: 1, output_per_mtok: 2 },
          },
        ],
      },
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
      model: 'claude-opus-4-8',
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

  it('counts tokens without calling the upstream', async () => {
    const before = driver.upstreamCalls();
    const counted = await client.messages.countTokens({
      model: 'chat',
      messages: [{ role: 'user', content: 'Hello there, how are you today?' }],
    });
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

import Anthropic from '@anthropic-ai/sdk';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeAnthropicServer } from './fake-anthropic.server';

const KEY = 'sk-ant-fake-server-spec-key';
const FIXTURES = join(__dirname, '../../libs/providers/src/anthropic/fixtures');

/** The fake is only useful if it is faithful: the official SDK must accept everything it sends. */
describe('FakeAnthropicServer', () => {
  const fake = new FakeAnthropicServer(KEY);
  let baseUrl: string;
  let client: Anthropic;

  beforeAll(async () => {
    baseUrl = await fake.start();
    client = new Anthropic({ apiKey: KEY, baseURL: baseUrl, maxRetries: 0 });
  });
  afterAll(() => fake.stop());
  beforeEach(() => (fake.defaultReply = {}));

  const ask = {
    model: 'claude-fake',
    max_tokens: 256,
    messages: [{ role: 'user' as const, content: 'Weather in Oslo?' }],
  };

  it('answers a message the SDK parses, echoing the user by default, and records what it received', async () => {
    const message = await client.messages.create(ask);
    expect(message).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'claude-fake-20250929',
      content: [{ type: 'text', text: 'You said: Weather in Oslo?' }],
      stop_reason: 'end_turn',
    });
    const recorded = fake.requests.at(-1)!;
    expect(recorded).toMatchObject({ method: 'POST', url: '/v1/messages', body: ask });
    // SDK 1.x sends its key as a bearer token and API version 2026-10-21; the fake takes either auth header.
    expect(recorded.headers).toMatchObject({ authorization: `Bearer ${KEY}`, 'anthropic-version': expect.any(String) });
  });

  it('streams events the SDK assembles into the same message, usage included', async () => {
    fake.defaultReply = {
      content: [
        { type: 'thinking', thinking: 'Cold place.' },
        { type: 'text', text: 'Checking Oslo and Bergen.' },
        { type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: { city: 'Oslo', units: ['C'] } },
        { type: 'tool_use', id: 'toolu_02', name: 'get_weather', input: { city: 'Bergen' } },
      ],
      usage: { cache_read_input_tokens: 300 },
    };
    const tools = [{ name: 'get_weather', input_schema: { type: 'object' as const, properties: {} } }];
    const whole = await client.messages.create({ ...ask, tools });
    const streamed = await client.messages.stream({ ...ask, tools }).finalMessage();
    const { id: _id, ...answer } = whole;
    expect(streamed).toMatchObject(answer);
    expect(streamed.content.map((block) => block.type)).toEqual(['thinking', 'text', 'tool_use', 'tool_use']);
    expect(streamed.stop_reason).toBe('tool_use');
    expect(streamed.usage).toMatchObject({ cache_read_input_tokens: 300 });
  });

  it('sends an error event mid-stream that the SDK raises', async () => {
    fake.script({ errorAfterEvents: 3 });
    await expect(client.messages.stream(ask).finalMessage()).rejects.toThrow(/Overloaded/);
  });

  it('replays recorded SSE bytes verbatim', async () => {
    const fixture = readFileSync(join(FIXTURES, 'thinking-then-text.sse'), 'utf8');
    fake.script({ rawEvents: fixture, splitAt: [5, 100, 101, 700] });
    const response = await fetch(`${baseUrl}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': KEY, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({ ...ask, stream: true }),
    });
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(await response.text()).toBe(fixture);
  });

  it('rejects a wrong key with the 401 envelope the SDK turns into AuthenticationError', async () => {
    const stranger = new Anthropic({ apiKey: 'sk-ant-wrong', baseURL: baseUrl, maxRetries: 0 });
    const error = await stranger.messages.create(ask).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
    expect((error as InstanceType<typeof Anthropic.AuthenticationError>).error).toMatchObject({
      type: 'error',
      error: { type: 'authentication_error', message: 'invalid x-api-key' },
    });
  });

  const toolUse = {
    role: 'assistant' as const,
    content: [{ type: 'tool_use' as const, id: 'toolu_01', name: 'f', input: {} }],
  };
  const toolResult = (id: string) => ({ type: 'tool_result' as const, tool_use_id: id, content: 'ok' });
  it.each([
    ['no max_tokens', { ...ask, max_tokens: undefined }, 'max_tokens: Field required'],
    ['an unknown field', { ...ask, frequency_penalty: 1 }, 'frequency_penalty: Extra inputs are not permitted'],
    ['temperature above 1', { ...ask, temperature: 1.5 }, 'temperature: Input should be less than or equal to 1'],
    [
      'a system message first',
      { ...ask, messages: [{ role: 'system', content: 'Be brief.' }, ...ask.messages] },
      'first message must use the "user" role',
    ],
    [
      'a tool role',
      { ...ask, messages: [...ask.messages, { role: 'tool', content: 'ok' }] },
      "messages.1.role: Input should be 'user', 'assistant' or 'system'",
    ],
    [
      'a system message between tool_use and tool_result',
      {
        ...ask,
        messages: [
          ...ask.messages,
          toolUse,
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: [toolResult('toolu_01')] },
        ],
      },
      '`tool_use` ids were found without `tool_result` blocks',
    ],
    [
      'a system message with an image',
      {
        ...ask,
        messages: [
          ...ask.messages,
          { role: 'system', content: [{ type: 'image', source: { type: 'url', url: 'https://x.test/a.png' } }] },
        ],
      },
      "messages.1.content.0.type: Input should be 'text'",
    ],
    [
      'an unknown thinking display',
      { ...ask, thinking: { type: 'adaptive', display: 'full' } },
      "thinking.adaptive.display: Input should be 'summarized' or 'omitted'",
    ],
    [
      'adaptive thinking with a temperature',
      { ...ask, temperature: 0.5, thinking: { type: 'adaptive' } },
      '`temperature` may only be set to 1',
    ],
    [
      'an assistant first',
      { ...ask, messages: [{ role: 'assistant', content: 'Hi' }, ...ask.messages] },
      'first message must use the "user" role',
    ],
    ['two user turns in a row', { ...ask, messages: [...ask.messages, ...ask.messages] }, 'roles must alternate'],
    [
      'an empty text block',
      { ...ask, messages: [{ role: 'user', content: [{ type: 'text', text: '' }] }] },
      'text content blocks must be non-empty',
    ],
    [
      'an unanswered tool_use',
      { ...ask, messages: [...ask.messages, toolUse, { role: 'user', content: 'go on' }] },
      '`tool_use` ids were found without `tool_result` blocks',
    ],
    [
      'a tool_result for an unknown id',
      {
        ...ask,
        messages: [
          ...ask.messages,
          toolUse,
          { role: 'user', content: [toolResult('toolu_01'), toolResult('toolu_09')] },
        ],
      },
      'unexpected `tool_use_id`',
    ],
    [
      'a tool_result after text',
      {
        ...ask,
        messages: [
          ...ask.messages,
          toolUse,
          { role: 'user', content: [{ type: 'text', text: 'Here:' }, toolResult('toolu_01')] },
        ],
      },
      'must come first',
    ],
    [
      'tool_choice without tools',
      { ...ask, tool_choice: { type: 'any' } },
      'tool_choice may only be specified while providing tools',
    ],
    [
      'thinking with a temperature',
      { ...ask, max_tokens: 4096, temperature: 0.5, thinking: { type: 'enabled', budget_tokens: 2048 } },
      '`temperature` may only be set to 1',
    ],
    [
      'a thinking budget over max_tokens',
      { ...ask, thinking: { type: 'enabled', budget_tokens: 2048 } },
      '`max_tokens` must be greater than `thinking.budget_tokens`',
    ],
  ])('rejects %s with a 400 invalid_request_error', async (_name, body, message) => {
    const error = await client.messages.create(body as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    const envelope = (error as InstanceType<typeof Anthropic.BadRequestError>).error as {
      error: { type: string; message: string };
    };
    expect(envelope.error.type).toBe('invalid_request_error');
    expect(envelope.error.message).toContain(message);
  });

  it('accepts what Claude Code sends: system messages between turns, adaptive thinking answering a tool result', async () => {
    const system = {
      role: 'system',
      content: [{ type: 'text', text: 'Use tools.', cache_control: { type: 'ephemeral' } }],
    };
    const messages = [
      ...ask.messages,
      system,
      toolUse,
      { role: 'user', content: [toolResult('toolu_01')] },
      { role: 'system', content: 'Be brief.' },
    ];
    const request = { ...ask, messages, thinking: { type: 'adaptive', display: 'omitted' } };
    await expect(client.messages.create(request as never)).resolves.toMatchObject({ type: 'message' });
  });

  it('lets the unverified conversation rules be relaxed', async () => {
    const lenient = new FakeAnthropicServer(KEY, { requireUserFirst: false, requireAlternation: false });
    const lenientClient = new Anthropic({ apiKey: KEY, baseURL: await lenient.start(), maxRetries: 0 });
    try {
      const messages = [{ role: 'assistant' as const, content: 'Hello!' }, ...ask.messages, ...ask.messages];
      await expect(lenientClient.messages.create({ ...ask, messages })).resolves.toMatchObject({ type: 'message' });
    } finally {
      await lenient.stop();
    }
  });
});

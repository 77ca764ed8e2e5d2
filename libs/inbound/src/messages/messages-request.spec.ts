import { GatewayError } from '@app/common';
import { parseCountTokensRequest, parseMessagesRequest, parseMessagesRequestInTurns } from './messages-request';

const valid = () => ({
  model: 'claude-sonnet-4-5',
  max_tokens: 1024,
  messages: [{ role: 'user', content: 'Hello' }],
});

function rejection(body: unknown, parse: (body: unknown) => unknown = parseMessagesRequest): GatewayError {
  try {
    parse(body);
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError);
    return error as GatewayError;
  }
  throw new Error('expected the body to be refused');
}

describe('parseMessagesRequest', () => {
  it('accepts a minimal request and returns it unchanged, unknown fields included', () => {
    const body = { ...valid(), service_tier: 'auto', some_future_field: { x: 1 } };
    expect(parseMessagesRequest(body)).toBe(body);
  });

  it('accepts the shapes real clients send: system blocks, every block type, tools, tool_choice, stream', () => {
    const body = {
      ...valid(),
      system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }],
      stream: true,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is here?' },
            { type: 'image', source: { type: 'url', url: 'https://x/y.png' } },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'hm', signature: 'sig' },
            { type: 'tool_use', id: 'toolu_1', name: 'read', input: { path: 'a' } },
          ],
        },
        {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'ok' }] }],
        },
        { role: 'assistant', content: [{ type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: {} }] },
      ],
      tools: [
        { name: 'read', input_schema: { type: 'object', properties: {} } },
        { type: 'web_search_20250305', name: 'web_search' },
      ],
      tool_choice: { type: 'tool', name: 'read' },
      stop_sequences: ['END'],
      temperature: 0.5,
    };
    expect(parseMessagesRequest(body)).toBe(body);
  });

  it.each([
    ['a non-object body', [], null, 'JSON object'],
    ['a missing model', { ...valid(), model: undefined }, 'model', 'model: Field required'],
    ['an empty model', { ...valid(), model: ' ' }, 'model', 'model: Field required'],
    ['a missing max_tokens', { ...valid(), max_tokens: undefined }, 'max_tokens', 'positive integer such as 4096'],
    ['a zero max_tokens', { ...valid(), max_tokens: 0 }, 'max_tokens', '(got 0)'],
    ['a fractional max_tokens', { ...valid(), max_tokens: 10.5 }, 'max_tokens', '(got 10.5)'],
    ['a string max_tokens', { ...valid(), max_tokens: '100' }, 'max_tokens', '(got "100")'],
    ['no messages', { ...valid(), messages: [] }, 'messages', 'non-empty array'],
    ['messages as an object', { ...valid(), messages: {} }, 'messages', 'non-empty array'],
    ['a message that is not an object', { ...valid(), messages: ['hi'] }, 'messages.0', '"role" and "content"'],
    [
      'an unknown role',
      { ...valid(), messages: [{ role: 'tool', content: 'x' }] },
      'messages.0.role',
      'must be "user" or "assistant" (got "tool")',
    ],
    [
      'content that is a number',
      { ...valid(), messages: [{ role: 'user', content: 3 }] },
      'messages.0.content',
      'string or an array',
    ],
    [
      'a block without a type',
      { ...valid(), messages: [{ role: 'user', content: [{ text: 'x' }] }] },
      'messages.0.content.0',
      '"type"',
    ],
    [
      'a text block without text',
      { ...valid(), messages: [{ role: 'user', content: [{ type: 'text' }] }] },
      'messages.0.content.0',
      'text block',
    ],
    [
      'an image without a source',
      { ...valid(), messages: [{ role: 'user', content: [{ type: 'image' }] }] },
      'messages.0.content.0.source',
      'base64',
    ],
    [
      'a tool_use without an id',
      { ...valid(), messages: [{ role: 'assistant', content: [{ type: 'tool_use', name: 'x', input: {} }] }] },
      'messages.0.content.0.id',
      'tool_result will answer',
    ],
    [
      'a tool_use without a name',
      { ...valid(), messages: [{ role: 'assistant', content: [{ type: 'tool_use', id: 't', input: {} }] }] },
      'messages.0.content.0.name',
      'name',
    ],
    [
      'a tool_result without tool_use_id',
      { ...valid(), messages: [{ role: 'user', content: [{ type: 'tool_result', content: 'x' }] }] },
      'messages.0.content.0.tool_use_id',
      'tool_use block it answers',
    ],
    [
      'a bad block inside a tool_result',
      {
        ...valid(),
        messages: [
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: [{ type: 'text', text: 1 }] }] },
        ],
      },
      'messages.0.content.0.content.0',
      'text block',
    ],
    ['a non-boolean stream', { ...valid(), stream: 'yes' }, 'stream', 'true or false'],
    ['a numeric system', { ...valid(), system: 5 }, 'system', 'string or an array of text blocks'],
    ['a system image block', { ...valid(), system: [{ type: 'image' }] }, 'system.0', 'text block'],
    ['tools as an object', { ...valid(), tools: {} }, 'tools', 'array of tools'],
    ['a tool without a name', { ...valid(), tools: [{ input_schema: {} }] }, 'tools.0.name', '"name"'],
    [
      'a custom tool without a schema',
      { ...valid(), tools: [{ name: 'x' }] },
      'tools.0.input_schema',
      'tool "x" needs an "input_schema"',
    ],
    ['an unknown tool_choice', { ...valid(), tool_choice: { type: 'required' } }, 'tool_choice', '{"type": "any"}'],
    [
      'a tool_choice without a name',
      { ...valid(), tool_choice: { type: 'tool' } },
      'tool_choice.name',
      '"name" of the tool',
    ],
    ['stop_sequences as a string', { ...valid(), stop_sequences: 'END' }, 'stop_sequences', 'array of strings'],
    ['a string temperature', { ...valid(), temperature: '0.2' }, 'temperature', 'must be a number'],
  ])('refuses %s with a 400 naming the field', (_case, body, param, words) => {
    const error = rejection(body);
    expect(error.code).toBe('invalid_request_error');
    expect(error.status).toBe(400);
    expect(error.options.param).toBe(param);
    expect(error.message).toContain(words);
  });

  it('accepts a server tool without input_schema and a system turn inside messages', () => {
    const body = {
      ...valid(),
      tools: [{ type: 'bash_20250124', name: 'bash' }],
      messages: [{ role: 'system', content: 'Rules.' }, ...valid().messages],
    };
    expect(parseMessagesRequest(body)).toBe(body);
  });
});

describe('parseCountTokensRequest', () => {
  it('needs no max_tokens', () => {
    const body = { model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'Hi' }] };
    expect(parseCountTokensRequest(body)).toBe(body);
  });

  it('checks the conversation as /v1/messages does', () => {
    const error = rejection({ model: 'm', messages: [] }, parseCountTokensRequest);
    expect(error.options.param).toBe('messages');
  });
});

describe('parseMessagesRequestInTurns', () => {
  const turns = { sliceItems: 2, turnMs: 0 };
  const conversation = (length: number) =>
    Array.from({ length }, (_, i) => ({
      role: i % 2 ? 'assistant' : 'user',
      content: i % 3 ? `message ${i}` : [{ type: 'text', text: `message ${i}` }],
    }));

  /** Whether other work (a setImmediate queued before the call) ran before the check was done. */
  async function yielded(run: () => Promise<unknown>): Promise<boolean> {
    let ran = false;
    setImmediate(() => (ran = true));
    await run().catch(() => undefined);
    return ran;
  }

  it('checks a long conversation slice by slice, letting other work run, and returns the body', async () => {
    const body = { ...valid(), system: 'Be brief.', messages: conversation(9), tools: [] };
    let parsed: unknown;
    expect(await yielded(async () => (parsed = await parseMessagesRequestInTurns(body, turns)))).toBe(true);
    expect(parsed).toBe(body);
  });

  it('checks a conversation of up to one slice at once', async () => {
    const body = { ...valid(), messages: conversation(2) };
    expect(await yielded(() => parseMessagesRequestInTurns(body, turns))).toBe(false);
  });

  it.each([
    ['a bad message in a later slice', { messages: [...conversation(7), { role: 'robot', content: 'x' }] }],
    ['a bad block in a later slice', { messages: [...conversation(5), { role: 'user', content: [{ text: 'x' }] }] }],
    ['a bad system prompt before the messages', { system: 7, messages: [...conversation(5), 'not a message'] }],
    ['bad tools after good messages', { messages: conversation(5), tools: {} }],
    ['no max_tokens after good messages', { messages: conversation(5), max_tokens: undefined }],
  ])('refuses %s with the error of the check in one call', async (_case, fields) => {
    const body = { ...valid(), ...fields };
    const expected = rejection(body);
    await expect(parseMessagesRequestInTurns(body, turns)).rejects.toEqual(expected);
    expect((await parseMessagesRequestInTurns(body, turns).catch((error: GatewayError) => error)).options).toEqual(
      expected.options,
    );
  });
});

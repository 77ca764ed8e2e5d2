import { ChatCompletionRequest, ChatMessage, GatewayError } from '@app/common';
import { DEFAULT_MAX_TOKENS, toAnthropicRequest } from './anthropic-request.mapper';

const TARGET = { upstreamModel: 'claude-sonnet-4-5' };
const WEATHER_TOOL = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Current weather',
    parameters: { type: 'object', properties: { city: { type: 'string' } } },
  },
};

function map(
  request: Partial<ChatCompletionRequest>,
  target: { upstreamModel: string; defaultMaxTokens?: number } = TARGET,
  stream = false,
) {
  return toAnthropicRequest({ model: 'smart', messages: [{ role: 'user', content: 'Hi' }], ...request }, target, {
    stream,
  });
}

function mapError(request: Partial<ChatCompletionRequest>): GatewayError {
  try {
    map(request);
  } catch (error) {
    return error as GatewayError;
  }
  throw new Error('expected the request to be rejected');
}

describe('toAnthropicRequest', () => {
  it('sends the upstream model, a plain user turn, and nothing the client did not ask for', () => {
    expect(map({})).toEqual({
      body: {
        model: 'claude-sonnet-4-5',
        max_tokens: DEFAULT_MAX_TOKENS,
        messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
      },
      droppedParams: [],
    });
    expect(map({}, TARGET, true).body.stream).toBe(true);
  });

  it('moves system and developer messages, wherever they are, into the top-level system in order', () => {
    const { body } = map({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
        { role: 'developer', content: [{ type: 'text', text: 'Answer in Norwegian.' }] },
        { role: 'assistant', content: 'Hei!' },
      ],
    });
    expect(body.system).toEqual([
      { type: 'text', text: 'Be brief.' },
      { type: 'text', text: 'Answer in Norwegian.' },
    ]);
    expect(body.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
  });

  it('merges consecutive same-role messages so that turns alternate, skipping empty text', () => {
    const { body } = map({
      messages: [
        { role: 'user', content: 'First.' },
        { role: 'system', content: 'Interjected system note.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Second.' },
            { type: 'text', text: '' },
          ],
        },
        { role: 'assistant', content: '' },
        { role: 'assistant', content: 'Answer.' },
      ],
    });
    expect(body.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'First.' },
          { type: 'text', text: 'Second.' },
        ],
      },
      { role: 'assistant', content: [{ type: 'text', text: 'Answer.' }] },
    ]);
  });

  it('turns data: image URLs into base64 sources and http(s) URLs into url sources', () => {
    const { body } = map({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Compare these.' },
            { type: 'image_url', image_url: { url: 'data:image/PNG;base64,iVBORw0KGgo=' } },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg', detail: 'high' } },
          ],
        },
      ],
    });
    expect(body.messages[0].content).toEqual([
      { type: 'text', text: 'Compare these.' },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
      { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
    ]);
  });

  it('rejects content Anthropic cannot take instead of silently losing it', () => {
    const cases: Array<[ChatMessage[], string]> = [
      [
        [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'AAA', format: 'wav' } }] }],
        'messages[0].content[0]',
      ],
      [
        [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'ftp://example.com/cat.jpg' } }] }],
        'messages[0].content[0].image_url.url',
      ],
      [
        [{ role: 'system', content: [{ type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } }] }],
        'messages[0].content[0]',
      ],
      [[{ role: 'function', name: 'f', content: '{}' }], 'messages[0].role'],
      [[{ role: 'tool', content: 'result' }], 'messages[0].tool_call_id'],
    ];
    for (const [messages, param] of cases) {
      const error = mapError({ messages });
      expect(error).toBeInstanceOf(GatewayError);
      expect(error).toMatchObject({ code: 'invalid_request_error', status: 400, options: { param } });
    }
  });

  it('maps a full tool loop: tool_calls become tool_use blocks, tool results open the next user turn', () => {
    const { body } = map({
      tools: [WEATHER_TOOL],
      messages: [
        { role: 'user', content: 'Weather in Oslo and Bergen?' },
        {
          role: 'assistant',
          content: 'Checking.',
          tool_calls: [
            { id: 'toolu_01', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
            { id: 'toolu_02', type: 'function', function: { name: 'get_weather', arguments: '' } },
            { id: 'toolu_03', type: 'function', function: { name: 'get_weather', arguments: '{"city":' } },
          ],
        },
        { role: 'tool', tool_call_id: 'toolu_01', content: '4C, rain' },
        { role: 'tool', tool_call_id: 'toolu_02', content: [{ type: 'text', text: '9C, sun' }] },
        { role: 'tool', tool_call_id: 'toolu_03', content: '' },
        { role: 'user', content: 'Also, which is warmer?' },
      ],
    });
    expect(body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather in Oslo and Bergen?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Checking.' },
          { type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: { city: 'Oslo' } },
          { type: 'tool_use', id: 'toolu_02', name: 'get_weather', input: {} },
          { type: 'tool_use', id: 'toolu_03', name: 'get_weather', input: {} },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_01', content: '4C, rain' },
          { type: 'tool_result', tool_use_id: 'toolu_02', content: [{ type: 'text', text: '9C, sun' }] },
          { type: 'tool_result', tool_use_id: 'toolu_03' },
          { type: 'text', text: 'Also, which is warmer?' },
        ],
      },
    ]);
  });

  it('puts tool results first even when user text came before them', () => {
    const { body } = map({
      messages: [
        { role: 'user', content: 'Go.' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'toolu_01', type: 'function', function: { name: 'f', arguments: '[1]' } }],
        },
        { role: 'user', content: 'Here you are:' },
        { role: 'tool', tool_call_id: 'toolu_01', content: 'done' },
      ],
    });
    expect(body.messages[1].content).toEqual([{ type: 'tool_use', id: 'toolu_01', name: 'f', input: {} }]);
    expect(body.messages[2].content.map((block) => block.type)).toEqual(['tool_result', 'text']);
  });

  it('maps tools, and every tool_choice form', () => {
    expect(map({ tools: [WEATHER_TOOL, { type: 'function', function: { name: 'now' } }] }).body.tools).toEqual([
      { name: 'get_weather', description: 'Current weather', input_schema: WEATHER_TOOL.function.parameters },
      { name: 'now', input_schema: { type: 'object', properties: {} } },
    ]);
    const choice = (tool_choice: unknown, parallel_tool_calls?: boolean) =>
      map({ tools: [WEATHER_TOOL], tool_choice, parallel_tool_calls });
    expect(choice(undefined).body.tool_choice).toBeUndefined();
    expect(choice('auto').body.tool_choice).toEqual({ type: 'auto' });
    expect(choice('none').body.tool_choice).toEqual({ type: 'none' });
    expect(choice('required').body.tool_choice).toEqual({ type: 'any' });
    expect(choice({ type: 'function', function: { name: 'get_weather' } }).body.tool_choice).toEqual({
      type: 'tool',
      name: 'get_weather',
    });
    expect(choice(undefined, false).body.tool_choice).toEqual({ type: 'auto', disable_parallel_tool_use: true });
    expect(choice('required', false).body.tool_choice).toEqual({ type: 'any', disable_parallel_tool_use: true });
    expect(choice('none', false).body.tool_choice).toEqual({ type: 'none' });
    expect(choice(undefined, true).body.tool_choice).toBeUndefined();
    const unknown = choice({ type: 'allowed_tools', allowed_tools: { mode: 'auto', tools: [] } });
    expect(unknown.body.tool_choice).toBeUndefined();
    expect(unknown.droppedParams).toEqual(['tool_choice']);
  });

  it('sends no tool_choice without tools, and rejects tools that are not functions', () => {
    expect(map({ tool_choice: 'required' }).body).not.toHaveProperty('tool_choice');
    expect(mapError({ tools: [{ type: 'custom', custom: { name: 'x' } } as never] })).toMatchObject({
      code: 'invalid_request_error',
      options: { param: 'tools[0]' },
    });
  });

  it('takes max_tokens from max_completion_tokens, then max_tokens, then the model default, then 4096', () => {
    expect(
      map({ max_completion_tokens: 100, max_tokens: 200 }, { ...TARGET, defaultMaxTokens: 300 }).body.max_tokens,
    ).toBe(100);
    expect(map({ max_tokens: 200 }, { ...TARGET, defaultMaxTokens: 300 }).body.max_tokens).toBe(200);
    expect(map({ max_tokens: null }, { ...TARGET, defaultMaxTokens: 300 }).body.max_tokens).toBe(300);
    expect(map({}).body.max_tokens).toBe(4096);
  });

  it('clamps temperature into 0..1, and passes top_p, stop and user through', () => {
    expect(map({ temperature: 1.7 }).body.temperature).toBe(1);
    expect(map({ temperature: 0.3 }).body.temperature).toBe(0.3);
    expect(map({ temperature: 0 }).body.temperature).toBe(0);
    expect(map({ temperature: null }).body).not.toHaveProperty('temperature');
    const { body } = map({ top_p: 0.9, stop: 'END', user: 'user-42' });
    expect(body).toMatchObject({ top_p: 0.9, stop_sequences: ['END'], metadata: { user_id: 'user-42' } });
    expect(map({ stop: ['a', 'b'] }).body.stop_sequences).toEqual(['a', 'b']);
    expect(map({ stop: [] }).body).not.toHaveProperty('stop_sequences');
  });

  it('drops and reports what Anthropic cannot honour, but not parameters left at their defaults', () => {
    const { body, droppedParams } = map({
      n: 2,
      logprobs: true,
      top_logprobs: 3,
      presence_penalty: 0.5,
      frequency_penalty: 0.5,
      logit_bias: { '50256': -100 },
      seed: 7,
      response_format: { type: 'json_object' },
      metadata: { team: 'a' },
      some_future_param: true,
    });
    expect(droppedParams).toEqual([
      'n',
      'logprobs',
      'top_logprobs',
      'presence_penalty',
      'frequency_penalty',
      'logit_bias',
      'seed',
      'response_format',
      'metadata',
      'some_future_param',
    ]);
    expect(Object.keys(body).sort()).toEqual(['max_tokens', 'messages', 'model']);
    const defaults = map({
      n: 1,
      logprobs: false,
      presence_penalty: 0,
      frequency_penalty: 0,
      logit_bias: {},
      seed: null,
      response_format: { type: 'text' },
      store: false,
      stream_options: { include_usage: true },
    });
    expect(defaults.droppedParams).toEqual([]);
  });

  describe('reasoning_effort', () => {
    it('turns on thinking with a share of max_tokens as budget', () => {
      expect(map({ reasoning_effort: 'low', max_tokens: 8000 }).body.thinking).toEqual({
        type: 'enabled',
        budget_tokens: 2000,
      });
      expect(map({ reasoning_effort: 'medium', max_tokens: 8000 }).body.thinking).toEqual({
        type: 'enabled',
        budget_tokens: 4000,
      });
      expect(map({ reasoning_effort: 'high', max_tokens: 8000 }).body.thinking).toEqual({
        type: 'enabled',
        budget_tokens: 6400,
      });
      expect(map({ reasoning_effort: 'low', max_tokens: 2048 }).body.thinking).toEqual({
        type: 'enabled',
        budget_tokens: 1024,
      });
      expect(map({ reasoning_effort: 'none' })).toMatchObject({ droppedParams: [] });
      expect(map({ reasoning_effort: 'none' }).body).not.toHaveProperty('thinking');
    });

    it('drops temperature and a low top_p while thinking, as Anthropic rejects them then', () => {
      const { body, droppedParams } = map({ reasoning_effort: 'medium', temperature: 0.2, top_p: 0.5 });
      expect(body).not.toHaveProperty('temperature');
      expect(body).not.toHaveProperty('top_p');
      expect(droppedParams).toEqual(['temperature', 'top_p']);
      expect(map({ reasoning_effort: 'medium', temperature: 1, top_p: 0.97 })).toMatchObject({
        body: { temperature: 1, top_p: 0.97 },
        droppedParams: [],
      });
    });

    it('leaves thinking off, and reports it, where Anthropic would reject the request', () => {
      const loop: ChatMessage[] = [
        { role: 'user', content: 'Weather?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'toolu_01', type: 'function', function: { name: 'get_weather', arguments: '{}' } }],
        },
        { role: 'tool', tool_call_id: 'toolu_01', content: '4C' },
      ];
      const cases: Array<Partial<ChatCompletionRequest>> = [
        { reasoning_effort: 'low', max_tokens: 1024 }, // no room for the minimum budget of 1024
        { reasoning_effort: 'high', tools: [WEATHER_TOOL], tool_choice: 'required' },
        { reasoning_effort: 'high', tools: [WEATHER_TOOL], messages: loop },
        { reasoning_effort: 'extreme' },
      ];
      for (const request of cases) {
        const { body, droppedParams } = map({ temperature: 0.5, ...request });
        expect(body).not.toHaveProperty('thinking');
        expect(body.temperature).toBe(0.5);
        expect(droppedParams).toEqual(['reasoning_effort']);
      }
    });
  });
});

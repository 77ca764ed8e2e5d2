import type { ChatCompletion } from '@app/common';
import { chatToMessage } from './chat-to-message';

const ids = { newId: (prefix: string) => `${prefix}test` };

function completion(
  message: Partial<ChatCompletion['choices'][0]['message']>,
  finish: ChatCompletion['choices'][0]['finish_reason'],
  usage?: ChatCompletion['usage'],
): ChatCompletion {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1,
    model: 'gpt-5-mini-2025-08-07',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: null, refusal: null, ...message },
        logprobs: null,
        finish_reason: finish,
      },
    ],
    ...(usage ? { usage } : {}),
  };
}

describe('chatToMessage', () => {
  it('makes an Anthropic message named with the model the client asked for, usage split into cached and uncached', () => {
    const message = chatToMessage(
      completion({ content: 'It is 4C in Oslo.' }, 'stop', {
        prompt_tokens: 1_200,
        completion_tokens: 15,
        total_tokens: 1_215,
        prompt_tokens_details: { cached_tokens: 1_024 },
      }),
      'claude-sonnet-4-5',
      ids,
    );
    expect(message).toEqual({
      id: 'msg_test',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      content: [{ type: 'text', text: 'It is 4C in Oslo.' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 176, output_tokens: 15, cache_creation_input_tokens: 0, cache_read_input_tokens: 1_024 },
    });
  });

  it('puts reasoning first as an unsigned thinking block, then text, then each tool call with its id and parsed input', () => {
    const message = chatToMessage(
      completion(
        {
          content: 'Checking both.',
          reasoning_content: 'Two cities, two calls.',
          tool_calls: [
            { id: 'call_oslo', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
            {
              id: 'call_bergen',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"Bergen","units":"metric"}' },
            },
          ],
        },
        'tool_calls',
      ),
      'claude-sonnet-4-5',
      ids,
    );
    expect(message.content).toEqual([
      { type: 'thinking', thinking: 'Two cities, two calls.', signature: '' },
      { type: 'text', text: 'Checking both.' },
      { type: 'tool_use', id: 'call_oslo', name: 'get_weather', input: { city: 'Oslo' } },
      { type: 'tool_use', id: 'call_bergen', name: 'get_weather', input: { city: 'Bergen', units: 'metric' } },
    ]);
    expect(message.stop_reason).toBe('tool_use');
  });

  it.each([
    ['empty', ''],
    ['malformed', '{"city": "Os'],
    ['not an object', '["Oslo"]'],
  ])('gives a tool call with %s arguments an empty input object', (_case, args) => {
    const message = chatToMessage(
      completion(
        { tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: args } }] },
        'tool_calls',
      ),
      'm',
      ids,
    );
    expect(message.content).toEqual([{ type: 'tool_use', id: 'call_1', name: 'f', input: {} }]);
  });

  it('gives a tool call without an id a toolu_ id', () => {
    const message = chatToMessage(
      completion(
        { tool_calls: [{ id: '', type: 'function', function: { name: 'f', arguments: '{}' } }] },
        'tool_calls',
      ),
      'm',
      ids,
    );
    expect(message.content[0]).toMatchObject({ type: 'tool_use', id: 'toolu_test' });
  });

  it.each([
    ['stop', false, 'end_turn'],
    ['length', false, 'max_tokens'],
    ['tool_calls', true, 'tool_use'],
    ['content_filter', false, 'refusal'],
    ['stop', true, 'tool_use'], // some upstreams say stop for tool calls; clients run tools only on tool_use
    ['length', true, 'max_tokens'],
    [null, false, 'end_turn'],
  ] as const)('maps finish_reason %s (tool calls: %s) to %s', (finish, withTool, stopReason) => {
    const toolCalls = withTool
      ? [{ id: 'c', type: 'function' as const, function: { name: 'f', arguments: '{}' } }]
      : undefined;
    expect(chatToMessage(completion({ content: 'x', tool_calls: toolCalls }, finish), 'm', ids).stop_reason).toBe(
      stopReason,
    );
  });

  it('makes no block for empty text, and zero usage when the upstream gave none', () => {
    const message = chatToMessage(completion({ content: '' }, 'stop'), 'm', ids);
    expect(message.content).toEqual([]);
    expect(message.usage).toEqual({
      input_tokens: 0,
      output_tokens: 0,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
    });
  });

  it('uses a fresh msg_ id by default', () => {
    const first = chatToMessage(completion({ content: 'x' }, 'stop'), 'm');
    const second = chatToMessage(completion({ content: 'x' }, 'stop'), 'm');
    expect(first.id).toMatch(/^msg_[0-9a-f]{24}$/);
    expect(first.id).not.toBe(second.id);
  });
});

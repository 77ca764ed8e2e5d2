import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { wireViolations } from '../../../../test/utils/openai-wire';
import type { AnthropicMessageResponse } from './anthropic.types';
import { toChatCompletion } from './anthropic-response.mapper';

const CREATED = 1_767_225_600;

function message(overrides: Partial<AnthropicMessageResponse>): AnthropicMessageResponse {
  return {
    id: 'msg_01',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-4-5-20250929',
    content: [{ type: 'text', text: 'Hi.' }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 10, output_tokens: 3 },
    ...overrides,
  };
}

describe('toChatCompletion', () => {
  it('turns text and tool_use blocks into content and tool_calls with JSON-string arguments', () => {
    const fixture = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'text-and-parallel-tools.json'), 'utf8'));
    expect(toChatCompletion(fixture, CREATED)).toEqual({
      id: 'msg_01TextTools',
      object: 'chat.completion',
      created: CREATED,
      model: 'claude-sonnet-4-5-20250929',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: 'Let me check both cities.',
            refusal: null,
            tool_calls: [
              { id: 'toolu_01Oslo', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
              {
                id: 'toolu_02Bergen',
                type: 'function',
                function: { name: 'get_weather', arguments: '{"city":"Bergen"}' },
              },
            ],
          },
          logprobs: null,
          finish_reason: 'tool_calls',
        },
      ],
      usage: {
        prompt_tokens: 2560,
        completion_tokens: 71,
        total_tokens: 2631,
        prompt_tokens_details: { cached_tokens: 2048 },
      },
    });
  });

  it('gives null content for an answer that is only tool calls, and "" for an empty answer', () => {
    const toolOnly = toChatCompletion(
      message({ content: [{ type: 'tool_use', id: 't', name: 'f', input: {} }], stop_reason: 'tool_use' }),
      CREATED,
    );
    expect(toolOnly.choices[0].message).toEqual({
      role: 'assistant',
      content: null,
      refusal: null,
      tool_calls: [{ id: 't', type: 'function', function: { name: 'f', arguments: '{}' } }],
    });
    expect(
      toChatCompletion(message({ content: [], stop_reason: 'max_tokens' }), CREATED).choices[0].message.content,
    ).toBe('');
  });

  it('joins text blocks, returns thinking as reasoning_content, and leaves out blocks OpenAI has no slot for', () => {
    const content = [
      { type: 'thinking', thinking: 'Short question.', signature: 'sig' },
      { type: 'redacted_thinking', data: 'opaque' },
      { type: 'text', text: 'Oslo is ' },
      { type: 'text', text: 'cold.' },
    ] as AnthropicMessageResponse['content'];
    expect(toChatCompletion(message({ content }), CREATED).choices[0].message).toEqual({
      role: 'assistant',
      content: 'Oslo is cold.',
      refusal: null,
      reasoning_content: 'Short question.',
    });
  });

  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['pause_turn', 'stop'],
    ['max_tokens', 'length'],
    ['model_context_window_exceeded', 'length'],
    ['tool_use', 'tool_calls'],
    ['refusal', 'content_filter'],
    ['a_reason_added_later', 'stop'],
    ['constructor', 'stop'],
  ])('maps stop_reason %s to finish_reason %s', (stopReason, finishReason) => {
    expect(toChatCompletion(message({ stop_reason: stopReason }), CREATED).choices[0].finish_reason).toBe(finishReason);
  });

  // Strictly typed clients (generated from OpenAI's spec) reject an answer the spec does not allow.
  it.each([
    ['text', message({})],
    [
      'tool calls',
      message({ content: [{ type: 'tool_use', id: 't', name: 'f', input: {} }], stop_reason: 'tool_use' }),
    ],
    ['a length finish', message({ content: [], stop_reason: 'max_tokens' })],
    ['a refusal', message({ content: [{ type: 'text', text: 'I cannot help.' }], stop_reason: 'refusal' })],
  ])("answers %s as OpenAI's published schema requires (refusal: null included)", (_case, answer) => {
    expect(wireViolations('CreateChatCompletionResponse', toChatCompletion(answer, CREATED))).toEqual([]);
  });
});

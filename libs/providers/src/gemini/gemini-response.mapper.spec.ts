import { wireViolations } from '../../../../test/utils/openai-wire';
import { finishReasonOf, identify, toChatCompletion } from './gemini-response.mapper';
import type { GeminiResponse } from './gemini.types';

const translate = (response: GeminiResponse) => toChatCompletion(response, identify(response, 'gemini-2.5-flash'));

describe('toChatCompletion', () => {
  it('joins text parts into content, keeps thoughts out of it, and takes id and model from the response', () => {
    const completion = translate({
      candidates: [
        {
          content: {
            role: 'model',
            parts: [
              { text: 'Thinking it over', thought: true },
              { text: 'It is ' },
              { text: '4C.', thoughtSignature: 'c2ln' },
            ],
          },
          finishReason: 'STOP',
          index: 0,
        },
      ],
      usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 3, thoughtsTokenCount: 7, totalTokenCount: 15 },
      modelVersion: 'gemini-2.5-flash-001',
      responseId: 'abc-123',
    });
    expect(completion).toMatchObject({
      id: 'chatcmpl-abc123',
      object: 'chat.completion',
      model: 'gemini-2.5-flash-001',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'It is 4C.', refusal: null, reasoning_content: 'Thinking it over' },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage: { prompt_tokens: 5, completion_tokens: 10, total_tokens: 15 },
    });
    expect(completion.choices[0].message.tool_calls).toBeUndefined();
  });

  it('turns function calls into tool calls with ids that are the same every time for the same response', () => {
    const response: GeminiResponse = {
      candidates: [
        {
          content: {
            role: 'model',
            parts: [{ functionCall: { name: 'a', args: { x: 1 } } }, { functionCall: { name: 'b' } }],
          },
          finishReason: 'STOP',
        },
      ],
      responseId: 'r1',
    };
    const completion = translate(response);
    expect(completion.choices[0]).toMatchObject({
      message: {
        content: null,
        tool_calls: [
          { id: 'call_r1_0_0', type: 'function', function: { name: 'a', arguments: '{"x":1}' } },
          { id: 'call_r1_0_1', type: 'function', function: { name: 'b', arguments: '{}' } },
        ],
      },
      finish_reason: 'tool_calls',
    });
    expect(translate(response).choices[0].message.tool_calls).toEqual(completion.choices[0].message.tool_calls);
  });

  it('makes tool-call ids unique per response when Gemini sends no response id', () => {
    const response: GeminiResponse = {
      candidates: [{ content: { parts: [{ functionCall: { name: 'a' } }] }, finishReason: 'STOP' }],
    };
    expect(translate(response).choices[0].message.tool_calls![0].id).not.toBe(
      translate(response).choices[0].message.tool_calls![0].id,
    );
  });

  it('answers every candidate as a choice at its index', () => {
    const completion = translate({
      candidates: [
        { content: { parts: [{ text: 'A' }] }, finishReason: 'STOP', index: 0 },
        { content: { parts: [{ text: 'B' }] }, finishReason: 'MAX_TOKENS', index: 1 },
      ],
    });
    expect(completion.choices.map((choice) => [choice.index, choice.message.content, choice.finish_reason])).toEqual([
      [0, 'A', 'stop'],
      [1, 'B', 'length'],
    ]);
  });

  it('answers a blocked prompt with one content-filtered choice', () => {
    expect(
      translate({
        promptFeedback: { blockReason: 'SAFETY' },
        usageMetadata: { promptTokenCount: 4, totalTokenCount: 4 },
      }),
    ).toMatchObject({
      choices: [
        { index: 0, message: { role: 'assistant', content: null, refusal: null }, finish_reason: 'content_filter' },
      ],
      usage: { prompt_tokens: 4, completion_tokens: 0, total_tokens: 4 },
    });
  });

  // Strictly typed clients (generated from OpenAI's spec) reject an answer the spec does not allow.
  const answer = (parts: object[], finishReason: string): GeminiResponse => ({
    candidates: [{ content: { role: 'model', parts }, finishReason, index: 0 }],
    usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 3, totalTokenCount: 8 },
    responseId: 'abc-123',
  });
  it.each([
    ['text', answer([{ text: 'It is 4C.' }], 'STOP')],
    ['tool calls', answer([{ functionCall: { name: 'get_weather', args: { city: 'Oslo' } } }], 'STOP')],
    ['a length finish', answer([{ text: 'It is' }], 'MAX_TOKENS')],
    ['a safety finish', answer([], 'SAFETY')],
    ['a blocked prompt', { promptFeedback: { blockReason: 'SAFETY' } }],
  ])("answers %s as OpenAI's published schema requires (refusal: null included)", (_case, response) => {
    expect(wireViolations('CreateChatCompletionResponse', translate(response))).toEqual([]);
  });
});

describe('finishReasonOf', () => {
  it.each([
    ['STOP', false, 'stop'],
    ['STOP', true, 'tool_calls'],
    ['MAX_TOKENS', false, 'length'],
    ['MAX_TOKENS', true, 'length'],
    ['SAFETY', false, 'content_filter'],
    ['RECITATION', false, 'content_filter'],
    ['BLOCKLIST', false, 'content_filter'],
    ['PROHIBITED_CONTENT', false, 'content_filter'],
    ['SPII', false, 'content_filter'],
    ['IMAGE_SAFETY', false, 'content_filter'],
    ['MALFORMED_FUNCTION_CALL', false, 'stop'],
    ['OTHER', false, 'stop'],
    ['FINISH_REASON_UNSPECIFIED', false, 'stop'],
  ])('%s (function called: %s) → %s', (reason, called, expected) => {
    expect(finishReasonOf(reason, called)).toBe(expected);
  });
});

import type { ChatCompletion, ChatCompletionRequest } from '@app/common';
import type { StreamEvent } from '@app/providers';
import { chatEstimate, embeddingsEstimate, generatedChars, messagesEstimate } from './usage-estimate';

const request = { model: 'm', messages: [{ role: 'user', content: 'x'.repeat(40) }] } as ChatCompletionRequest;
const completion = (choices: unknown) => ({ choices }) as unknown as ChatCompletion;

describe('usage estimates', () => {
  it("count the prompt's text and the answer's text, reasoning and tool-call arguments at ~4 characters a token", () => {
    const answer = completion([
      {
        message: {
          content: 'y'.repeat(20),
          reasoning_content: 'z'.repeat(8),
          tool_calls: [{ function: { name: 'f', arguments: '{"a":1}' } }],
        },
      },
    ]);
    expect(chatEstimate(request, answer)).toEqual({
      promptTokens: 10,
      cachedTokens: 0,
      completionTokens: Math.ceil((20 + 8 + 7) / 4),
      reasoningTokens: 0,
      source: 'estimated',
    });
  });

  it("never throw on an upstream's malformed answer: they run between a served call and its settlement", () => {
    for (const choices of [
      undefined,
      null,
      'x',
      42,
      {},
      [null],
      [{ message: null }],
      [{ message: { tool_calls: 'x' } }],
      [{ message: { tool_calls: [null, {}] } }],
    ]) {
      expect(chatEstimate(request, completion(choices)).completionTokens).toBe(0);
    }
    expect(chatEstimate(request, null as unknown as ChatCompletion).promptTokens).toBe(10);
    const chunk = (choices: unknown) => ({ chunk: { choices } }) as unknown as StreamEvent;
    expect(generatedChars(chunk('x'))).toBe(0);
    expect(generatedChars(chunk([{ delta: { content: 'abcd' } }, null]))).toBe(4);
  });

  it('estimate a native Messages answer from its JSON, and an embeddings input from its texts and token ids', () => {
    const body = { content: [{ type: 'text', text: 'hello' }] };
    expect(messagesEstimate(request, { kind: 'native', value: { body, usage: undefined } }).completionTokens).toBe(
      Math.ceil(JSON.stringify(body).length / 4),
    );
    expect(embeddingsEstimate({ model: 'e', input: ['abcd', 'efgh'] }).promptTokens).toBe(2);
    expect(embeddingsEstimate({ model: 'e', input: [[1, 2, 3], [4]] }).promptTokens).toBe(4);
    expect(embeddingsEstimate({ model: 'e', input: [5, 6] }).promptTokens).toBe(2);
  });
});

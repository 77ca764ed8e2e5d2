import type { ChatCompletion } from '@app/common';
import { withRequiredChoiceFields } from './openai-completion.mapper';

/** A vLLM answer: no `refusal`, no `logprobs`, and no `content` beside its tool call. */
const vllmAnswer = () =>
  ({
    id: 'chatcmpl-vllm',
    object: 'chat.completion',
    created: 1_767_225_600,
    model: 'qwen',
    choices: [
      { index: 0, message: { role: 'assistant', content: 'Hi.' }, finish_reason: 'stop' },
      {
        index: 1,
        message: {
          role: 'assistant',
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }],
        },
        finish_reason: 'tool_calls',
      },
    ],
  }) as unknown as ChatCompletion;

describe('withRequiredChoiceFields', () => {
  it('sets the required fields an OpenAI-compatible server left out to null', () => {
    const completed = withRequiredChoiceFields(vllmAnswer());
    expect(completed.choices.map((choice) => [choice.message, choice.logprobs])).toEqual([
      [{ role: 'assistant', content: 'Hi.', refusal: null }, null],
      [{ role: 'assistant', content: null, refusal: null, tool_calls: expect.any(Array) }, null],
    ]);
  });

  it('keeps what the server sent, a refusal and log probabilities included', () => {
    const answer = vllmAnswer();
    const logprobs = { content: [], refusal: null };
    Object.assign(answer.choices[0], { logprobs });
    Object.assign(answer.choices[0].message, { content: null, refusal: 'I cannot help with that.' });
    const completed = withRequiredChoiceFields(answer);
    expect(completed.choices[0]).toMatchObject({
      message: { content: null, refusal: 'I cannot help with that.' },
      logprobs,
    });
  });
});

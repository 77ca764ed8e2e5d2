import { GatewayError } from '@app/common';
import { parseResponsesRequest } from './responses-request';

function rejection(body: unknown): GatewayError {
  try {
    parseResponsesRequest(body);
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a 400');
}

describe('parseResponsesRequest', () => {
  it('accepts a string input and an item array, keeping unknown fields', () => {
    expect(parseResponsesRequest({ model: 'm', input: 'hi' })).toEqual({ model: 'm', input: 'hi' });
    const items = [
      { role: 'user', content: 'hi' },
      { type: 'function_call_output', call_id: 'c', output: 'x' },
    ];
    expect(parseResponsesRequest({ model: 'm', input: items, stream: true, client_metadata: { a: 1 } })).toEqual({
      model: 'm',
      input: items,
      stream: true,
      client_metadata: { a: 1 },
    });
  });

  it.each([
    ['a non-object body', [], null],
    ['a missing model', { input: 'hi' }, 'model'],
    ['an empty model', { model: '', input: 'hi' }, 'model'],
    ['a missing input', { model: 'm' }, 'input'],
    ['input items that are not objects', { model: 'm', input: ['hi'] }, 'input'],
    ['a non-boolean stream', { model: 'm', input: 'hi', stream: 'yes' }, 'stream'],
    ['tools without a type', { model: 'm', input: 'hi', tools: [{ name: 'f' }] }, 'tools'],
    ['a numeric tool_choice', { model: 'm', input: 'hi', tool_choice: 1 }, 'tool_choice'],
    ['an unknown tool_choice mode', { model: 'm', input: 'hi', tool_choice: 'any' }, 'tool_choice'],
    ['a string max_output_tokens', { model: 'm', input: 'hi', max_output_tokens: '10' }, 'max_output_tokens'],
    ['a string text config', { model: 'm', input: 'hi', text: 'json' }, 'text'],
  ])('refuses %s with a 400 naming the field', (_case, body, param) => {
    const error = rejection(body);
    expect(error.status).toBe(400);
    expect(error.options.param).toBe(param);
  });

  it('refuses previous_response_id: the gateway is stateless, so the full input must be sent with store false', () => {
    const error = rejection({ model: 'm', input: 'next', previous_response_id: 'resp_1' });
    expect(error.status).toBe(400);
    expect(error.options.param).toBe('previous_response_id');
    expect(error.message).toMatch(/stateless/);
    expect(error.message).toMatch(/"store": false/);
  });

  it('refuses conversation and background, which also need stored state', () => {
    expect(rejection({ model: 'm', input: 'x', conversation: 'conv_1' }).options.param).toBe('conversation');
    expect(rejection({ model: 'm', input: 'x', background: true }).options.param).toBe('background');
  });

  it('accepts store true (nothing is stored; the response says store false) and a null previous_response_id', () => {
    expect(
      parseResponsesRequest({ model: 'm', input: 'x', store: true, previous_response_id: null, background: false }),
    ).toMatchObject({ store: true });
  });
});

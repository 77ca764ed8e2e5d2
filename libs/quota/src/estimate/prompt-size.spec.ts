import {
  measurePrompt,
  measurePromptInTurns,
  promptTokenBound,
  promptTokenEstimate,
  requestedOutputTokens,
} from './prompt-size';

describe('prompt size', () => {
  it('bounds chat text by its UTF-8 bytes plus framing, and estimates about four bytes a token', () => {
    const size = measurePrompt({
      model: 'm',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Grüß dich' },
      ],
    });
    expect(size).toEqual({ textBytes: 9 + 11, tokenIds: 0, messages: 2, images: 0 });
    expect(promptTokenBound(size)).toBe(20 + 2 * 4 + 3);
    expect(promptTokenEstimate(size)).toBe(5 + 2 * 4 + 3);
  });

  it('counts text parts, tools and schemas as text, and images by allowance rather than by URL length', () => {
    const tools = [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }];
    const size = measurePrompt({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${'A'.repeat(100_000)}` } },
          ],
        },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }],
        },
      ],
      tools,
    });
    expect(size.images).toBe(1);
    expect(size.textBytes).toBeLessThan(400);
    expect(size.textBytes).toBeGreaterThan(13 + JSON.stringify(tools).length);
  });

  it('counts an Anthropic-style system prompt and embeddings input, strings or token ids', () => {
    expect(measurePrompt({ system: 'abc', messages: [{ role: 'user', content: 'd' }] }).textBytes).toBe(4);
    expect(measurePrompt({ input: ['ab', 'cde'] })).toMatchObject({ textBytes: 5, tokenIds: 0, messages: 0 });
    expect(promptTokenBound(measurePrompt({ input: [[1, 2, 3], [4]] }))).toBe(4);
    expect(promptTokenBound(measurePrompt({ input: [5, 6] }))).toBe(2);
  });

  it('counts a Responses request: instructions, message items by their text, other items and tools by their JSON', () => {
    const call = { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{}' };
    const tools = [{ type: 'function', name: 'f' }];
    const size = measurePrompt({ instructions: 'ab', input: [{ role: 'user', content: 'hello' }, call], tools });
    expect(size.textBytes).toBe(2 + 5 + JSON.stringify(call).length + JSON.stringify(tools).length);
    expect(size.messages).toBe(2);
    expect(measurePrompt({ instructions: 'ab', input: 'hello' }).textBytes).toBe(7);
    expect(requestedOutputTokens({ max_output_tokens: 300 })).toBe(300);
  });

  it('never throws on a malformed body', () => {
    for (const body of [undefined, null, 'text', [], { messages: 'x' }, { messages: [null, 3, { content: 7 }] }]) {
      expect(() => promptTokenBound(measurePrompt(body))).not.toThrow();
    }
  });

  it('reads the requested output cap, multiplied by n', () => {
    expect(requestedOutputTokens({ max_tokens: 100 })).toBe(100);
    expect(requestedOutputTokens({ max_completion_tokens: 50, max_tokens: 100, n: 3 })).toBe(150);
    expect(requestedOutputTokens({ max_tokens: null })).toBeUndefined();
    expect(requestedOutputTokens({})).toBeUndefined();
  });
});

describe('measurePromptInTurns', () => {
  const turns = { sliceItems: 2, turnMs: 0 };
  const tools = [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }];

  /** Whether other work (a setImmediate queued before the call) ran before the measure was done. */
  async function yielded(run: () => Promise<unknown>): Promise<boolean> {
    let ran = false;
    setImmediate(() => (ran = true));
    await run();
    return ran;
  }

  it.each([
    [
      'chat messages with a system prompt and tools',
      {
        system: 'Be brief.',
        tools,
        messages: Array.from({ length: 9 }, (_, i) => ({
          role: i % 2 ? 'assistant' : 'user',
          content:
            i % 3
              ? `Grüß dich ${i}`
              : [
                  { type: 'text', text: 'é' },
                  { type: 'image_url', image_url: {} },
                ],
          ...(i === 4 ? { name: 'n', tool_calls: [{ id: 'c', type: 'function' }] } : {}),
        })),
      },
    ],
    [
      'Responses input items',
      {
        instructions: 'ab',
        tools,
        input: Array.from({ length: 7 }, (_, i) =>
          i % 2
            ? { role: 'user', content: `item ${i}` }
            : { type: 'function_call_output', call_id: `c${i}`, output: 'x' },
        ),
      },
    ],
  ])('measures %s slice by slice, letting other work run, to the same size', async (_case, body) => {
    let size: unknown;
    expect(await yielded(async () => (size = await measurePromptInTurns(body, turns)))).toBe(true);
    expect(size).toEqual(measurePrompt(body));
  });

  it('measures a request of up to one slice at once', async () => {
    const body = { messages: [{ role: 'user', content: 'a' }], input: ['b', 'c'] };
    expect(await yielded(() => measurePromptInTurns(body, turns))).toBe(false);
    expect(await measurePromptInTurns(body, turns)).toEqual(measurePrompt(body));
  });
});

import { FakeGeminiServer } from './fake-gemini.server';

const KEY = 'fake-key-for-spec';
const MODEL = 'gemini-2.5-flash';

/** The fake must refuse what Gemini refuses, or adapter tests against it prove nothing. */
describe('FakeGeminiServer', () => {
  const fake = new FakeGeminiServer({ apiKey: KEY });
  let baseUrl: string;

  beforeAll(async () => {
    baseUrl = await fake.start();
  });
  afterEach(() => fake.reset());
  afterAll(() => fake.stop());

  const post = (action: string, body: unknown, headers: Record<string, string> = { 'x-goog-api-key': KEY }) =>
    fetch(`${baseUrl}/v1beta/models/${MODEL}:${action}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  const generate = (body: unknown) => post('generateContent', body);
  const hello = { contents: [{ role: 'user', parts: [{ text: 'Hello' }] }] };

  async function refusal(
    response: Response,
  ): Promise<{ status: number; error: { code: number; message: string; status: string } }> {
    return {
      status: response.status,
      error: ((await response.json()) as { error: { code: number; message: string; status: string } }).error,
    };
  }

  it('answers a valid request in Gemini’s shape', async () => {
    const response = await generate(hello);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      candidates: [
        { content: { role: 'model', parts: [{ text: 'You said: Hello' }] }, finishReason: 'STOP', index: 0 },
      ],
      usageMetadata: {
        promptTokenCount: expect.any(Number),
        candidatesTokenCount: expect.any(Number),
        totalTokenCount: expect.any(Number),
      },
      modelVersion: MODEL,
      responseId: expect.any(String),
    });
    expect(fake.requests[0]).toMatchObject({ model: MODEL, action: 'generateContent', body: hello, status: 200 });
  });

  it('refuses a missing key with 403 and a wrong one with 400 INVALID_ARGUMENT, as Gemini does', async () => {
    expect(await refusal(await post('generateContent', hello, {}))).toMatchObject({
      status: 403,
      error: { code: 403, status: 'PERMISSION_DENIED' },
    });
    const wrong = await post('generateContent', hello, { 'x-goog-api-key': 'nope' });
    const body = (await wrong.json()) as { error: { details: Array<{ reason?: string }> } };
    expect(wrong.status).toBe(400);
    expect(body).toMatchObject({
      error: { code: 400, status: 'INVALID_ARGUMENT', message: 'API key not valid. Please pass a valid API key.' },
    });
    expect(body.error.details[0].reason).toBe('API_KEY_INVALID');
  });

  it.each([
    [
      'an OpenAI role',
      { contents: [{ role: 'assistant', parts: [{ text: 'x' }] }] },
      'Please use a valid role: user, model.',
    ],
    ['an unknown field', { ...hello, temperature: 1 }, 'Unknown name "temperature"'],
    ['no contents', { contents: [] }, 'contents is not specified'],
    ['empty text', { contents: [{ role: 'user', parts: [{ text: '' }] }] }, 'empty text parameter'],
    [
      'two kinds of data in one part',
      { contents: [{ role: 'user', parts: [{ text: 'a', inlineData: { mimeType: 'image/png', data: 'AA==' } }] }] },
      "Oneof field 'data' is already set",
    ],
    [
      'a function response with no call before it',
      { contents: [{ role: 'user', parts: [{ functionResponse: { name: 'f', response: { result: 1 } } }] }] },
      'function response turn comes immediately after a function call turn',
    ],
    [
      'a function response named after no call',
      {
        contents: [
          { role: 'user', parts: [{ text: 'q' }] },
          { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: {} } }] },
          { role: 'user', parts: [{ functionResponse: { name: 'call_123', response: { result: 1 } } }] },
        ],
      },
      'does not match any function call',
    ],
    [
      'fewer responses than calls',
      {
        contents: [
          { role: 'user', parts: [{ text: 'q' }] },
          { role: 'model', parts: [{ functionCall: { name: 'a' } }, { functionCall: { name: 'b' } }] },
          { role: 'user', parts: [{ functionResponse: { name: 'a', response: {} } }] },
          { role: 'user', parts: [{ functionResponse: { name: 'b', response: {} } }] },
        ],
      },
      'number of function response parts is equal to the number of function call parts',
    ],
    [
      'a response that is not an object',
      {
        contents: [
          { role: 'user', parts: [{ text: 'q' }] },
          { role: 'model', parts: [{ functionCall: { name: 'a' } }] },
          { role: 'user', parts: [{ functionResponse: { name: 'a', response: 'text' } }] },
        ],
      },
      'google.protobuf.Struct',
    ],
    [
      'additionalProperties in parameters',
      {
        ...hello,
        tools: [
          {
            functionDeclarations: [
              {
                name: 'f',
                parameters: { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: false },
              },
            ],
          },
        ],
      },
      `Unknown name "additionalProperties" at 'tools[0].function_declarations[0].parameters': Cannot find field.`,
    ],
    [
      '$schema in parameters',
      { ...hello, tools: [{ functionDeclarations: [{ name: 'f', parameters: { $schema: 'x', type: 'object' } }] }] },
      'Unknown name "$schema"',
    ],
    [
      'a type list',
      {
        ...hello,
        tools: [
          {
            functionDeclarations: [
              { name: 'f', parameters: { type: 'object', properties: { a: { type: ['string', 'null'] } } } },
            ],
          },
        ],
      },
      'v1beta.Type',
    ],
    [
      'an empty OBJECT',
      { ...hello, tools: [{ functionDeclarations: [{ name: 'f', parameters: { type: 'object', properties: {} } }] }] },
      'should be non-empty for OBJECT type',
    ],
    [
      'allowed names outside ANY mode',
      {
        ...hello,
        tools: [{ functionDeclarations: [{ name: 'f' }] }],
        toolConfig: { functionCallingConfig: { mode: 'AUTO', allowedFunctionNames: ['f'] } },
      },
      'only allowed when mode is ANY',
    ],
    [
      'six stop sequences',
      { ...hello, generationConfig: { stopSequences: ['1', '2', '3', '4', '5', '6'] } },
      'less than or equal to 5',
    ],
    [
      'a schema without JSON output',
      { ...hello, generationConfig: { responseSchema: { type: 'string' } } },
      'response_mime_type must be set',
    ],
  ])('refuses %s with 400 INVALID_ARGUMENT', async (_what, body, message) => {
    const { status, error } = await refusal(await generate(body));
    expect(status).toBe(400);
    expect(error.status).toBe('INVALID_ARGUMENT');
    expect(error.message).toContain(message);
  });

  it('requires thought signatures on function calls only when told to (Gemini 3)', async () => {
    const strict = new FakeGeminiServer({ apiKey: KEY, requireThoughtSignatures: true });
    const url = await strict.start();
    const turn = (signature?: string) => ({
      contents: [
        { role: 'user', parts: [{ text: 'q' }] },
        {
          role: 'model',
          parts: [{ functionCall: { name: 'a' }, ...(signature ? { thoughtSignature: signature } : {}) }],
        },
        { role: 'user', parts: [{ functionResponse: { name: 'a', response: {} } }] },
      ],
    });
    const send = (body: unknown) =>
      fetch(`${url}/v1beta/models/${MODEL}:generateContent`, {
        method: 'POST',
        headers: { 'x-goog-api-key': KEY },
        body: JSON.stringify(body),
      });
    try {
      expect((await send(turn())).status).toBe(400);
      expect((await send(turn('c2ln'))).status).toBe(200);
      expect((await generate(turn())).status).toBe(200);
    } finally {
      await strict.stop();
    }
  });

  it('streams data-only SSE events with CRLF framing, cumulative usage, the finish on the last event and no terminator', async () => {
    const reply = { text: 'one two three', functionCalls: [{ name: 'f', args: { a: 1 } }] };
    fake.enqueue({ reply }, { reply });
    const whole = (await (await generate(hello)).json()) as { usageMetadata: object };
    const response = await fetch(`${baseUrl}/v1beta/models/${MODEL}:streamGenerateContent?alt=sse`, {
      method: 'POST',
      headers: { 'x-goog-api-key': KEY },
      body: JSON.stringify(hello),
    });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const text = await response.text();
    expect(text.endsWith('\r\n\r\n')).toBe(true);
    const events = text.split('\r\n\r\n').filter(Boolean);
    expect(events.every((event) => event.startsWith('data: ') && !event.includes('\n'))).toBe(true);
    const parsed = events.map((event) => JSON.parse(event.slice(6)));
    expect(
      parsed.map((event) =>
        event.candidates[0].content.parts.map(
          (part: { text?: string; functionCall?: object }) => part.text ?? part.functionCall,
        ),
      ),
    ).toEqual([['one '], ['two '], ['three'], [{ name: 'f', args: { a: 1 } }]]);
    expect(parsed.map((event) => event.candidates[0].finishReason)).toEqual([undefined, undefined, undefined, 'STOP']);
    const totals = parsed.map((event) => event.usageMetadata.candidatesTokenCount);
    expect(totals).toEqual([...totals].sort((a, b) => a - b));
    expect(parsed.at(-1).usageMetadata).toEqual(whole.usageMetadata);
  });

  it('sends scripted errors in Gemini’s envelope, with the headers asked for', async () => {
    fake.enqueue({ error: { status: 429, message: 'Quota exceeded.' }, headers: { 'retry-after': '7' } });
    const response = await generate(hello);
    expect(response.headers.get('retry-after')).toBe('7');
    expect(await refusal(response)).toEqual({
      status: 429,
      error: { code: 429, message: 'Quota exceeded.', status: 'RESOURCE_EXHAUSTED' },
    });
  });

  it('embeds a batch, checking each request names the model in the URL', async () => {
    const ok = await post('batchEmbedContents', {
      requests: [{ model: `models/${MODEL}`, content: { parts: [{ text: 'a' }] }, outputDimensionality: 3 }],
    });
    expect(((await ok.json()) as { embeddings: Array<{ values: number[] }> }).embeddings[0].values).toHaveLength(3);
    const mismatch = await post('batchEmbedContents', {
      requests: [{ model: 'models/other', content: { parts: [{ text: 'a' }] } }],
    });
    expect(mismatch.status).toBe(400);
  });
});

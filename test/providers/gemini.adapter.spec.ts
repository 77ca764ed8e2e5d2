import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ChatCompletionChunk, ChatCompletionRequest, ChatMessage, GatewayError } from '@app/common';
import { ProviderAdapter, providerConfigSchema, UpstreamCallContext } from '@app/providers';
import { providerFactory } from '@app/providers/testing';
import { FakeGeminiServer } from '../fakes/fake-gemini.server';

const API_KEY = 'AIzaSyFakeGeminiKeyForTests0123456789';
const MODEL = 'gemini-2.5-flash';
const FIXTURES = path.join(__dirname, '../fixtures/gemini');

const WEATHER_TOOL = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Current weather',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' } },
      required: ['city'],
      additionalProperties: false,
    },
  },
};

describe('GeminiAdapter against the fake Gemini server', () => {
  const fake = new FakeGeminiServer({ apiKey: API_KEY });
  let baseUrl: string;
  let adapter: ProviderAdapter;

  beforeAll(async () => {
    baseUrl = await fake.start();
    adapter = adapterFor(baseUrl, API_KEY);
  });
  afterEach(() => fake.reset());
  afterAll(async () => {
    adapter.close();
    await fake.stop();
  });

  describe('chat', () => {
    it('sends the key in x-goog-api-key and never in the URL, and translates the answer', async () => {
      fake.enqueue({
        reply: { text: 'Hello there.', responseId: 'resp1', usage: { promptTokenCount: 11, candidatesTokenCount: 3 } },
      });
      const result = await adapter.chat(
        chat([
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Hi' },
        ]),
        { upstreamModel: MODEL },
        context(),
      );

      const [seen] = fake.requests;
      expect(seen.url).toBe(`/v1beta/models/${MODEL}:generateContent`);
      expect(seen.url).not.toContain(API_KEY);
      expect(seen.headers['x-goog-api-key']).toBe(API_KEY);
      expect(seen.headers.authorization).toBeUndefined();
      expect(seen.body).toEqual({
        systemInstruction: { parts: [{ text: 'Be brief.' }] },
        contents: [{ role: 'user', parts: [{ text: 'Hi' }] }],
      });

      expect(result.body).toMatchObject({
        id: 'chatcmpl-resp1',
        object: 'chat.completion',
        model: MODEL,
        choices: [{ index: 0, message: { role: 'assistant', content: 'Hello there.' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 11, completion_tokens: 3, total_tokens: 14 },
      });
      expect(result.usage).toEqual(result.body.usage);
      expect(result.droppedParams).toEqual([]);
    });

    it('reports the parameters it could not send', async () => {
      const result = await adapter.chat(
        {
          ...chat([{ role: 'user', content: 'Hi' }]),
          user: 'u-1',
          logit_bias: { 42: 1 },
          parallel_tool_calls: true,
          temperature: 0.3,
        },
        { upstreamModel: MODEL },
        context(),
      );
      expect(result.droppedParams).toEqual(['user', 'logit_bias']);
      expect((fake.requests[0].body as { generationConfig: unknown }).generationConfig).toEqual({ temperature: 0.3 });
    });

    it('completes a tool round trip the strict fake accepts, echoing the thought signature Gemini 3 requires', async () => {
      const strict = new FakeGeminiServer({ apiKey: API_KEY, requireThoughtSignatures: true });
      const strictAdapter = adapterFor(await strict.start(), API_KEY);
      try {
        strict.enqueue({
          reply: {
            responseId: 'turn1',
            functionCalls: [
              { name: 'get_weather', args: { city: 'Oslo' }, thoughtSignature: 'CsYBAdHtim9+/Q==' },
              { name: 'get_time', args: { zone: 'Europe/Oslo' } },
            ],
          },
        });
        const tools = [
          WEATHER_TOOL,
          {
            type: 'function' as const,
            function: { name: 'get_time', parameters: { type: 'object', properties: { zone: { type: 'string' } } } },
          },
        ];
        const messages: ChatMessage[] = [{ role: 'user', content: 'Weather and time in Oslo?' }];
        const first = await strictAdapter.chat({ ...chat(messages), tools }, { upstreamModel: MODEL }, context());
        const choice = first.body.choices[0];
        expect(choice.finish_reason).toBe('tool_calls');
        const calls = choice.message.tool_calls!;
        expect(calls.map((call) => [call.function.name, JSON.parse(call.function.arguments)])).toEqual([
          ['get_weather', { city: 'Oslo' }],
          ['get_time', { zone: 'Europe/Oslo' }],
        ]);
        expect(calls[0].id).toMatch(/^call_turn1_0_0__thought__[A-Za-z0-9_-]+$/);
        expect(calls[1].id).toBe('call_turn1_0_1');

        strict.enqueue({ reply: { text: 'Rainy, and it is noon.' } });
        const second = await strictAdapter.chat(
          {
            ...chat([
              ...messages,
              { role: 'assistant', content: null, tool_calls: calls },
              { role: 'tool', tool_call_id: calls[1].id, content: '12:00' },
              { role: 'tool', tool_call_id: calls[0].id, content: '{"temp":4,"sky":"rain"}' },
            ]),
            tools,
          },
          { upstreamModel: MODEL },
          context(),
        );
        expect(second.body.choices[0].message.content).toBe('Rainy, and it is noon.');
        expect((strict.requests[1].body as { contents: unknown }).contents).toEqual([
          { role: 'user', parts: [{ text: 'Weather and time in Oslo?' }] },
          {
            role: 'model',
            parts: [
              { functionCall: { name: 'get_weather', args: { city: 'Oslo' } }, thoughtSignature: 'CsYBAdHtim9+/Q==' },
              { functionCall: { name: 'get_time', args: { zone: 'Europe/Oslo' } } },
            ],
          },
          {
            role: 'user',
            parts: [
              { functionResponse: { name: 'get_time', response: { result: '12:00' } } },
              { functionResponse: { name: 'get_weather', response: { temp: 4, sky: 'rain' } } },
            ],
          },
        ]);
      } finally {
        strictAdapter.close();
        await strict.stop();
      }
    });

    it('sends tool schemas the strict fake accepts even when they use JSON Schema Gemini rejects', async () => {
      const parameters = {
        $schema: 'http://json-schema.org/draft-07/schema#',
        type: 'object',
        additionalProperties: false,
        $defs: { unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
        properties: {
          city: { type: 'string', format: 'hostname', minLength: 1 },
          unit: { $ref: '#/$defs/unit' },
          days: { type: ['integer', 'null'], exclusiveMinimum: 0 },
          kind: { const: 'forecast' },
          tags: { type: 'array', items: { type: 'string' }, uniqueItems: true },
        },
        required: ['city', 'ghost'],
      };
      await adapter.chat(
        {
          ...chat([{ role: 'user', content: 'Hi' }]),
          tools: [{ type: 'function', function: { name: 'forecast', parameters } }],
          tool_choice: 'required',
        },
        { upstreamModel: MODEL },
        context(),
      );
      expect(fake.requests[0].status).toBe(200);
      const body = fake.requests[0].body as { tools: unknown; toolConfig: unknown };
      expect(body.toolConfig).toEqual({ functionCallingConfig: { mode: 'ANY' } });
      expect(body.tools).toEqual([
        {
          functionDeclarations: [
            {
              name: 'forecast',
              parameters: {
                type: 'object',
                properties: {
                  city: { type: 'string', minLength: 1 },
                  unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
                  days: { type: 'integer', nullable: true },
                  kind: { type: 'string', enum: ['forecast'] },
                  tags: { type: 'array', items: { type: 'string' } },
                },
                required: ['city'],
              },
            },
          ],
        },
      ]);
    });

    it('maps a blocked prompt to a content_filter choice', async () => {
      fake.enqueue({ reply: { blockReason: 'PROHIBITED_CONTENT' } });
      const result = await adapter.chat(
        chat([{ role: 'user', content: 'something bad' }]),
        { upstreamModel: MODEL },
        context(),
      );
      expect(result.body.choices).toEqual([
        {
          index: 0,
          message: { role: 'assistant', content: null, refusal: null },
          logprobs: null,
          finish_reason: 'content_filter',
        },
      ]);
    });

    it('refuses a tool result that answers no earlier tool call, before calling upstream', async () => {
      const request = chat([
        { role: 'user', content: 'Hi' },
        { role: 'tool', tool_call_id: 'call_nowhere', content: 'x' },
      ]);
      await expect(adapter.chat(request, { upstreamModel: MODEL }, context())).rejects.toMatchObject({
        code: 'invalid_request_error',
        options: { param: 'messages[1].tool_call_id' },
      });
      expect(fake.requests).toHaveLength(0);
    });
  });

  describe('upstream errors', () => {
    it('treats a key Gemini calls "not valid" (400 INVALID_ARGUMENT) as the gateway credentials problem it is', async () => {
      const wrongKey = adapterFor(baseUrl, 'AIzaSyWrongWrongWrongWrongWrongWrong00');
      try {
        const error = await failure(
          wrongKey.chat(chat([{ role: 'user', content: 'Hi' }]), { upstreamModel: MODEL }, context()),
        );
        expect(error).toMatchObject({ code: 'upstream_auth_error', status: 502 });
        expect(fake.requests[0].status).toBe(400);
      } finally {
        wrongKey.close();
      }
    });

    it.each([
      [{ status: 403, message: 'Permission denied: Consumer has been suspended.' }, 'upstream_auth_error', 502],
      [{ status: 401, message: 'Request had invalid authentication credentials.' }, 'upstream_auth_error', 502],
      [{ status: 503, message: 'The model is overloaded. Please try again later.' }, 'upstream_unavailable', 503],
      [{ status: 500, message: 'An internal error has occurred.' }, 'upstream_error', 502],
      [{ status: 504, message: 'Deadline expired.' }, 'upstream_timeout', 504],
    ])('maps %j to %s', async (scripted, code, status) => {
      fake.enqueue({ error: scripted });
      const error = await failure(
        adapter.chat(chat([{ role: 'user', content: 'Hi' }]), { upstreamModel: MODEL }, context()),
      );
      expect(error).toMatchObject({ code, status });
    });

    it('maps RESOURCE_EXHAUSTED to upstream_rate_limited with the RetryInfo delay as retry-after', async () => {
      fake.enqueue({
        error: {
          status: 429,
          message: 'You exceeded your current quota.',
          details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '41s' }],
        },
      });
      const error = await failure(
        adapter.chatStream(chat([{ role: 'user', content: 'Hi' }]), { upstreamModel: MODEL }, context()),
      );
      expect(error).toMatchObject({ code: 'upstream_rate_limited', status: 429, options: { retryAfterSeconds: 41 } });
    });

    it("passes Gemini's own 400 through as upstream_bad_request with its message", async () => {
      const tools = [
        {
          type: 'function' as const,
          function: { name: 'list', parameters: { type: 'object', properties: { ids: { type: 'array' } } } },
        },
      ];
      const error = await failure(
        adapter.chat({ ...chat([{ role: 'user', content: 'Hi' }]), tools }, { upstreamModel: MODEL }, context()),
      );
      expect(error).toMatchObject({ code: 'upstream_bad_request', status: 400 });
      expect(error.message).toContain('items: missing field');
      expect(error.toBody().error.code).toBe('INVALID_ARGUMENT');
    });

    it('times out when the headers do not come in time', async () => {
      fake.enqueue({ headerDelayMs: 500 });
      const error = await failure(
        adapter.chat(chat([{ role: 'user', content: 'Hi' }]), { upstreamModel: MODEL }, context({ ttfbMs: 100 })),
      );
      expect(error.code).toBe('upstream_timeout');
    });
  });

  describe('chatStream', () => {
    it('streams role, text and finish chunks, then one usage chunk equal to the non-stream usage', async () => {
      const messages: ChatMessage[] = [{ role: 'user', content: 'Tell me about Oslo' }];
      fake.enqueue(
        { reply: { text: 'Oslo is the capital of Norway.' } },
        { reply: { text: 'Oslo is the capital of Norway.' } },
      );
      const whole = await adapter.chat(chat(messages), { upstreamModel: MODEL }, context());
      const chunks = await collect(adapter.chatStream(chat(messages), { upstreamModel: MODEL }, context()));

      expect(fake.requests[1].url).toBe(`/v1beta/models/${MODEL}:streamGenerateContent?alt=sse`);
      expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
      expect(contentOf(chunks)).toBe('Oslo is the capital of Norway.');
      expect(
        chunks.filter((chunk) => chunk.choices.length > 1 || chunk.choices[0]?.delta.content).length,
      ).toBeGreaterThan(1);
      const [finish, usage] = chunks.slice(-2);
      expect(finish.choices[0]).toMatchObject({ delta: {}, finish_reason: 'stop' });
      expect(usage.choices).toEqual([]);
      expect(usage.usage).toEqual(whole.usage);
      expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
    });

    it('emits each function call whole, indexed among tool calls only, with the ids the non-stream answer gives', async () => {
      const reply = {
        responseId: 'samecall',
        text: 'Let me look.',
        functionCalls: [
          { name: 'get_weather', args: { city: 'Oslo' } },
          { name: 'get_weather', args: { city: 'Bergen' } },
        ],
      };
      fake.enqueue({ reply }, { reply });
      const request = { ...chat([{ role: 'user', content: 'Weather?' }]), tools: [WEATHER_TOOL] };
      const whole = await adapter.chat(request, { upstreamModel: MODEL }, context());
      const chunks = await collect(adapter.chatStream(request, { upstreamModel: MODEL }, context()));

      const deltas = chunks.flatMap((chunk) => chunk.choices.flatMap((choice) => choice.delta.tool_calls ?? []));
      expect(deltas).toEqual(
        whole.body.choices[0].message.tool_calls!.map((call, index) => ({
          index,
          id: call.id,
          type: 'function',
          function: call.function,
        })),
      );
      expect(chunks.at(-2)!.choices[0].finish_reason).toBe('tool_calls');
      expect(contentOf(chunks)).toBe('Let me look.');
    });

    it('sends thought summaries as reasoning_content and counts thinking as completion tokens', async () => {
      fake.enqueue({ reply: { thoughts: 'Considering the question.', text: 'Yes.' } });
      const chunks = await collect(
        adapter.chatStream(
          { ...chat([{ role: 'user', content: 'Ok?' }]), reasoning_effort: 'low' },
          { upstreamModel: MODEL },
          context(),
        ),
      );
      expect((fake.requests[0].body as { generationConfig: unknown }).generationConfig).toEqual({
        thinkingConfig: { thinkingBudget: 1024, includeThoughts: true },
      });
      expect(
        chunks.map((chunk) => (chunk.choices[0]?.delta.reasoning_content as string | undefined) ?? '').join(''),
      ).toBe('Considering the question.');
      expect(contentOf(chunks)).toBe('Yes.');
      const usage = chunks.at(-1)!.usage!;
      expect(usage.completion_tokens_details?.reasoning_tokens).toBeGreaterThan(0);
      expect(usage.completion_tokens).toBe(1 + usage.completion_tokens_details!.reasoning_tokens!);
    });

    it('reports dropped parameters on the stream too', async () => {
      const stream = await adapter.chatStream(
        { ...chat([{ role: 'user', content: 'Hi' }]), logprobs: true, top_logprobs: 2 },
        { upstreamModel: MODEL },
        context(),
      );
      expect(stream.droppedParams).toEqual(['logprobs', 'top_logprobs']);
      await collect(Promise.resolve(stream));
    });

    it('fails a stream that closes without a finish reason', async () => {
      fake.enqueue({ reply: { text: 'Cut short', finishReason: null } });
      const error = await failure(
        collect(adapter.chatStream(chat([{ role: 'user', content: 'Hi' }]), { upstreamModel: MODEL }, context())),
      );
      expect(error.code).toBe('upstream_error');
      expect(error.message).toContain('before any finish reason');
    });

    it('fails with the upstream message when Gemini sends an error event mid-stream', async () => {
      fake.enqueue({
        reply: { text: 'one two three' },
        streamError: { afterEvents: 2, message: 'The model is overloaded.', status: 'UNAVAILABLE', code: 503 },
      });
      const seen: ChatCompletionChunk[] = [];
      const error = await failure(
        collect(adapter.chatStream(chat([{ role: 'user', content: 'Hi' }]), { upstreamModel: MODEL }, context()), seen),
      );
      expect(contentOf(seen)).toBe('one two ');
      expect(error).toMatchObject({
        code: 'upstream_error',
        message: expect.stringContaining('The model is overloaded.'),
      });
    });

    it('fails with a connection error when the connection drops mid-stream', async () => {
      fake.enqueue({ reply: { text: 'one two three' }, abortAfter: { events: 1 } });
      const seen: ChatCompletionChunk[] = [];
      const error = await failure(
        collect(adapter.chatStream(chat([{ role: 'user', content: 'Hi' }]), { upstreamModel: MODEL }, context()), seen),
      );
      expect(contentOf(seen)).toBe('one ');
      expect(error.code).toBe('upstream_connection_error');
    });

    it('times out when the upstream goes silent between events', async () => {
      fake.enqueue({ reply: { text: 'one two' }, eventDelayMs: 400 });
      const error = await failure(
        collect(
          adapter.chatStream(
            chat([{ role: 'user', content: 'Hi' }]),
            { upstreamModel: MODEL },
            context({ idleMs: 100 }),
          ),
        ),
      );
      expect(error.code).toBe('upstream_timeout');
    });
  });

  describe('recorded streams', () => {
    const fixtures: Record<
      string,
      { content: string; finish: string; usage: object; toolCalls?: object[]; reasoning?: string }
    > = {
      'text.sse': {
        content: 'It is 4°C in Oslo with light rain 🌧️ — bring an umbrella.',
        finish: 'stop',
        usage: { prompt_tokens: 57, completion_tokens: 14, total_tokens: 71 },
      },
      'function-calls.sse': {
        content: 'Checking both cities.',
        finish: 'tool_calls',
        usage: {
          prompt_tokens: 120,
          completion_tokens: 65,
          total_tokens: 185,
          prompt_tokens_details: { cached_tokens: 64 },
          completion_tokens_details: { reasoning_tokens: 35 },
        },
        toolCalls: [
          {
            index: 0,
            id: 'call_Zq3vH0x9Lk_0_0__thought__CsYBAdHtim9-_Q',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Oslo"}' },
          },
          {
            index: 1,
            id: 'call_Zq3vH0x9Lk_0_1',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Bergen","unit":"celsius"}' },
          },
        ],
      },
      'thinking.sse': {
        content: 'Yes.',
        reasoning: '**Weighing the options**\nThe user wants a short answer.',
        finish: 'length',
        usage: {
          prompt_tokens: 12,
          completion_tokens: 97,
          total_tokens: 109,
          completion_tokens_details: { reasoning_tokens: 96 },
        },
      },
      'safety.sse': {
        content: 'Here is how',
        finish: 'content_filter',
        usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 },
      },
    };

    it.each(Object.entries(fixtures))('%s translates to the expected chunks', async (name, expected) => {
      fake.enqueue({ rawStream: readFileSync(path.join(FIXTURES, name)) });
      const chunks = await collect(
        adapter.chatStream(chat([{ role: 'user', content: 'Hi' }]), { upstreamModel: MODEL }, context()),
      );
      expect(contentOf(chunks)).toBe(expected.content);
      expect(
        chunks.map((chunk) => (chunk.choices[0]?.delta.reasoning_content as string | undefined) ?? '').join(''),
      ).toBe(expected.reasoning ?? '');
      expect(chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? [])).toEqual(expected.toolCalls ?? []);
      expect(
        chunks.filter((chunk) => chunk.choices[0]?.finish_reason).map((chunk) => chunk.choices[0].finish_reason),
      ).toEqual([expected.finish]);
      expect(chunks.at(-1)).toMatchObject({ choices: [], usage: expected.usage });
    });

    it.each(Object.keys(fixtures))(
      '%s gives identical chunks however its bytes are split on the wire',
      async (name) => {
        const bytes = readFileSync(path.join(FIXTURES, name));
        const translate = async (splitAt?: number[]) => {
          fake.enqueue({ rawStream: bytes, splitAt });
          const chunks = await collect(
            adapter.chatStream(chat([{ role: 'user', content: 'Hi' }]), { upstreamModel: MODEL }, context()),
          );
          return chunks.map(({ created: _created, ...rest }) => rest);
        };
        const reference = await translate();
        const random = seededRandom(name.length * 7919);
        for (let round = 0; round < 12; round++) {
          const cuts = Array.from(
            { length: 1 + Math.floor(random() * 12) },
            () => 1 + Math.floor(random() * (bytes.length - 1)),
          );
          expect(await translate(cuts)).toEqual(reference);
        }
        // Every single-byte cut too, for the framing bytes and multi-byte characters near the first event's end.
        const firstEventEnd = bytes.indexOf('\n\n') + 2 || bytes.indexOf('\r\n\r\n') + 4;
        for (let cut = firstEventEnd - 6; cut <= firstEventEnd; cut++)
          expect(await translate([cut])).toEqual(reference);
      },
    );
  });

  describe('embeddings', () => {
    it('embeds through batchEmbedContents and answers in the OpenAI list shape', async () => {
      const result = await adapter.embeddings(
        { model: 'embed', input: ['first text', 'second'], dimensions: 4 },
        { upstreamModel: 'gemini-embedding-001' },
        context(),
      );
      expect(fake.requests[0].url).toBe('/v1beta/models/gemini-embedding-001:batchEmbedContents');
      expect(fake.requests[0].body).toEqual({
        requests: [
          {
            model: 'models/gemini-embedding-001',
            content: { parts: [{ text: 'first text' }] },
            outputDimensionality: 4,
          },
          { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'second' }] }, outputDimensionality: 4 },
        ],
      });
      expect(result.body).toMatchObject({
        object: 'list',
        model: 'gemini-embedding-001',
        usage: { prompt_tokens: 5, total_tokens: 5 },
      });
      expect(result.body.data.map((item) => [item.index, (item.embedding as number[]).length])).toEqual([
        [0, 4],
        [1, 4],
      ]);
    });

    it('encodes vectors as base64 float32 when asked, as the OpenAI SDK does by default', async () => {
      fake.enqueue({ embeddings: [[0.5, -0.25, 1]] });
      const result = await adapter.embeddings(
        { model: 'embed', input: 'x', encoding_format: 'base64' },
        { upstreamModel: 'gemini-embedding-001' },
        context(),
      );
      const bytes = Buffer.from(result.body.data[0].embedding as string, 'base64');
      const decoded = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
      expect([...decoded]).toEqual([0.5, -0.25, 1]);
    });

    it('rejects an answer with the wrong number of vectors', async () => {
      fake.enqueue({ embeddings: [[1, 2]] });
      const error = await failure(
        adapter.embeddings({ model: 'embed', input: ['a', 'b'] }, { upstreamModel: 'gemini-embedding-001' }, context()),
      );
      expect(error.code).toBe('upstream_invalid_response');
    });
  });
});

function adapterFor(baseUrl: string, apiKey: string): ProviderAdapter {
  const config = providerConfigSchema.parse({ id: 'gemini-test', type: 'gemini', base_url: baseUrl, api_key: apiKey });
  return providerFactory().create(config);
}

function chat(messages: ChatMessage[]): ChatCompletionRequest {
  return { model: 'client-model', messages };
}

function context(overrides: Partial<UpstreamCallContext> = {}): UpstreamCallContext {
  return {
    requestId: 'req_test',
    signal: new AbortController().signal,
    connectMs: 2_000,
    ttfbMs: 5_000,
    idleMs: 5_000,
    ...overrides,
  };
}

async function collect(
  stream: Promise<AsyncIterable<{ chunk: ChatCompletionChunk }>>,
  into: ChatCompletionChunk[] = [],
): Promise<ChatCompletionChunk[]> {
  for await (const event of await stream) into.push(event.chunk);
  return into;
}

function contentOf(chunks: ChatCompletionChunk[]): string {
  return chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
}

async function failure(promise: Promise<unknown>): Promise<GatewayError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError);
    return error as GatewayError;
  }
  throw new Error('expected a failure');
}

function seededRandom(seed: number): () => number {
  let state = seed;
  return () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
}

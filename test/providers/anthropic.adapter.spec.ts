import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChatCompletionChunk, ChatCompletionRequest, GatewayError } from '@app/common';
import { ChatStream, ProviderAdapter, providerConfigSchema, UpstreamCallContext } from '@app/providers';
import { providerFactory } from '@app/providers/testing';
import { FakeAnthropicServer } from '../fakes/fake-anthropic.server';

const KEY = 'sk-ant-adapter-spec-key-0123456789';
const FIXTURES = join(__dirname, '../../libs/providers/src/anthropic/fixtures');
const TARGET = { upstreamModel: 'claude-fake' };
const factory = providerFactory();

function adapterFor(baseUrl: string, apiKey = KEY): ProviderAdapter {
  return factory.create(
    providerConfigSchema.parse({ id: 'claude', type: 'anthropic', base_url: baseUrl, api_key: apiKey }),
  );
}

function context(overrides: Partial<UpstreamCallContext> = {}): UpstreamCallContext {
  return {
    requestId: 'req_test',
    signal: new AbortController().signal,
    connectMs: 2_000,
    ttfbMs: 2_000,
    idleMs: 2_000,
    ...overrides,
  };
}

function request(overrides: Partial<ChatCompletionRequest> = {}): ChatCompletionRequest {
  return { model: 'smart', messages: [{ role: 'user', content: 'Weather in Oslo?' }], ...overrides };
}

async function collect(stream: ChatStream): Promise<ChatCompletionChunk[]> {
  const chunks: ChatCompletionChunk[] = [];
  for await (const event of stream) {
    expect(Object.keys(event)).toEqual(['chunk']); // translated chunks carry no upstream `raw` text
    chunks.push(event.chunk);
  }
  return chunks;
}

/** Streams until the failure; returns what came before it and the error. */
async function collectUntilFailure(
  stream: ChatStream,
): Promise<{ chunks: ChatCompletionChunk[]; error: GatewayError }> {
  const chunks: ChatCompletionChunk[] = [];
  try {
    for await (const event of stream) chunks.push(event.chunk);
  } catch (error) {
    return { chunks, error: error as GatewayError };
  }
  throw new Error('expected the stream to fail');
}

async function rejection(promise: Promise<unknown>): Promise<GatewayError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GatewayError);
  return error as GatewayError;
}

function seededRandom(seed: number): () => number {
  return () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
}

const WEATHER_TOOL = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};
const TWO_CALLS = [
  { type: 'text' as const, text: 'Checking both.' },
  { type: 'tool_use' as const, id: 'toolu_01Oslo', name: 'get_weather', input: { city: 'Oslo' } },
  { type: 'tool_use' as const, id: 'toolu_02Bergen', name: 'get_weather', input: { city: 'Bergen' } },
];

describe('AnthropicAdapter against the fake Anthropic API', () => {
  const fake = new FakeAnthropicServer(KEY);
  let baseUrl: string;
  let adapter: ProviderAdapter;

  beforeAll(async () => {
    baseUrl = await fake.start();
    adapter = adapterFor(baseUrl);
  });
  afterAll(async () => {
    adapter.close();
    await fake.stop();
  });
  beforeEach(() => {
    fake.defaultReply = {};
    fake.rejections.length = 0;
  });

  describe('config', () => {
    it('defaults anthropic_version and refuses a base_url that already ends in /v1', () => {
      expect(
        providerConfigSchema.parse({ id: 'a', type: 'anthropic', base_url: 'https://api.anthropic.com/' }),
      ).toMatchObject({
        base_url: 'https://api.anthropic.com',
        anthropic_version: '2023-06-01',
      });
      expect(
        providerConfigSchema.safeParse({ id: 'a', type: 'anthropic', base_url: 'https://api.anthropic.com/v1' })
          .success,
      ).toBe(false);
    });
  });

  describe('chat', () => {
    it('posts to /v1/messages with the key and version headers, and answers as an OpenAI completion', async () => {
      const result = await adapter.chat(request({ temperature: 0.4, seed: 7 }), TARGET, context());
      const sent = fake.requests.at(-1)!;
      expect(sent).toMatchObject({ method: 'POST', url: '/v1/messages' });
      expect(sent.headers).toMatchObject({
        'x-api-key': KEY,
        'anthropic-version': '2023-06-01',
        'content-type': 'application/json',
      });
      expect(sent.body).toEqual({
        model: 'claude-fake',
        max_tokens: 4096,
        messages: [{ role: 'user', content: [{ type: 'text', text: 'Weather in Oslo?' }] }],
        temperature: 0.4,
      });
      expect(result.droppedParams).toEqual(['seed']);
      expect(result.body).toMatchObject({
        object: 'chat.completion',
        model: 'claude-fake-20250929',
        choices: [
          { index: 0, message: { role: 'assistant', content: 'You said: Weather in Oslo?' }, finish_reason: 'stop' },
        ],
      });
      expect(result.usage).toEqual(result.body.usage);
      expect(result.usage!.total_tokens).toBeGreaterThan(0);
    });

    it('sends a whole OpenAI tool conversation in a shape the strict API accepts', async () => {
      const result = await adapter.chat(
        request({
          tools: [WEATHER_TOOL],
          tool_choice: 'auto',
          parallel_tool_calls: false,
          stop: 'END',
          user: 'user-7',
          messages: [
            { role: 'system', content: 'Be brief.' },
            { role: 'user', content: 'Weather in Oslo and Bergen?' },
            {
              role: 'user',
              content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }],
            },
            {
              role: 'assistant',
              content: null,
              tool_calls: [
                {
                  id: 'toolu_01Oslo',
                  type: 'function',
                  function: { name: 'get_weather', arguments: '{"city":"Oslo"}' },
                },
                { id: 'toolu_02Bergen', type: 'function', function: { name: 'get_weather', arguments: '' } },
              ],
            },
            { role: 'tool', tool_call_id: 'toolu_01Oslo', content: '4C, rain' },
            { role: 'developer', content: 'Use Celsius.' },
            { role: 'tool', tool_call_id: 'toolu_02Bergen', content: '9C, sun' },
            { role: 'user', content: 'Which is warmer?' },
          ],
        }),
        TARGET,
        context(),
      );
      expect(fake.rejections).toEqual([]);
      const sent = fake.requests.at(-1)!.body;
      expect(sent.system).toEqual([
        { type: 'text', text: 'Be brief.' },
        { type: 'text', text: 'Use Celsius.' },
      ]);
      expect(sent.messages.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant', 'user']);
      expect(sent.messages[2].content.map((b: { type: string }) => b.type)).toEqual([
        'tool_result',
        'tool_result',
        'text',
      ]);
      expect(sent).toMatchObject({
        tool_choice: { type: 'auto', disable_parallel_tool_use: true },
        stop_sequences: ['END'],
        metadata: { user_id: 'user-7' },
      });
      expect(result.body.choices[0].message.content).toBe('You said: Which is warmer?');
    });

    it('returns tool_use blocks as tool_calls with JSON arguments', async () => {
      fake.defaultReply = { content: TWO_CALLS };
      const { body } = await adapter.chat(request({ tools: [WEATHER_TOOL] }), TARGET, context());
      expect(body.choices[0]).toMatchObject({
        finish_reason: 'tool_calls',
        message: {
          content: 'Checking both.',
          tool_calls: [
            { id: 'toolu_01Oslo', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
            {
              id: 'toolu_02Bergen',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"Bergen"}' },
            },
          ],
        },
      });
    });
  });

  describe('chatStream', () => {
    it('streams a role chunk, content, a finish chunk and a usage chunk, all under one id and the upstream model', async () => {
      const chunks = await collect(await adapter.chatStream(request(), TARGET, context()));
      expect(fake.requests.at(-1)!.body.stream).toBe(true);
      expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
      expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('You said: Weather in Oslo?');
      expect(chunks.at(-2)!.choices[0].finish_reason).toBe('stop');
      expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: expect.any(Number) } });
      expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
      expect(new Set(chunks.map((c) => c.model))).toEqual(new Set(['claude-fake-20250929']));
    });

    it('counts tool-call indices from 0 after a text block, and reports the same usage as the non-stream call', async () => {
      fake.defaultReply = {
        content: TWO_CALLS,
        usage: { cache_read_input_tokens: 900, cache_creation_input_tokens: 40 },
      };
      const conversation = request({ tools: [WEATHER_TOOL] });
      const chunks = await collect(await adapter.chatStream(conversation, TARGET, context()));
      const calls = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
      expect(calls.filter((call) => call.id)).toEqual([
        { index: 0, id: 'toolu_01Oslo', type: 'function', function: { name: 'get_weather', arguments: '' } },
        { index: 1, id: 'toolu_02Bergen', type: 'function', function: { name: 'get_weather', arguments: '' } },
      ]);
      const argumentsOf = (index: number) =>
        calls
          .filter((call) => call.index === index)
          .map((call) => call.function?.arguments ?? '')
          .join('');
      expect(JSON.parse(argumentsOf(0))).toEqual({ city: 'Oslo' });
      expect(JSON.parse(argumentsOf(1))).toEqual({ city: 'Bergen' });
      expect(chunks.at(-2)!.choices[0].finish_reason).toBe('tool_calls');

      const whole = await adapter.chat(conversation, TARGET, context());
      expect(chunks.at(-1)!.usage).toEqual(whole.usage);
      expect(whole.usage!.prompt_tokens_details).toEqual({ cached_tokens: 900 });
    });

    it('streams thinking as reasoning_content when reasoning_effort turns it on', async () => {
      fake.defaultReply = {
        content: [
          { type: 'thinking', thinking: 'Oslo is north.' },
          { type: 'text', text: 'Cold.' },
        ],
      };
      const stream = await adapter.chatStream(
        request({ reasoning_effort: 'medium', temperature: 0.2 }),
        TARGET,
        context(),
      );
      expect(stream.droppedParams).toEqual(['temperature']);
      expect(fake.requests.at(-1)!.body.thinking).toEqual({ type: 'enabled', budget_tokens: 2048 });
      const chunks = await collect(stream);
      expect(chunks.map((c) => (c.choices[0]?.delta.reasoning_content as string | undefined) ?? '').join('')).toBe(
        'Oslo is north.',
      );
    });

    it.each(['text-and-parallel-tools.sse', 'thinking-then-text.sse'])(
      'translates the recorded %s identically however the upstream splits its writes (seeded)',
      async (name) => {
        const fixture = readFileSync(join(FIXTURES, name), 'utf8');
        const bytes = Buffer.byteLength(fixture);
        const random = seededRandom(11);
        const translations: string[] = [];
        for (let round = 0; round < 12; round++) {
          const splitAt =
            round === 0
              ? []
              : Array.from({ length: 1 + Math.floor(random() * 20) }, () => 1 + Math.floor(random() * (bytes - 1)));
          fake.script({ rawEvents: fixture, splitAt });
          const chunks = await collect(await adapter.chatStream(request(), TARGET, context()));
          translations.push(JSON.stringify(chunks.map(({ created: _created, ...chunk }) => chunk)));
        }
        expect(new Set(translations).size).toBe(1);
        expect(translations[0]).toContain('"finish_reason"');
      },
    );
  });

  describe('failures', () => {
    it.each([
      [429, 'upstream_rate_limited', 429],
      [500, 'upstream_error', 502],
      [529, 'upstream_unavailable', 503],
      [403, 'upstream_auth_error', 502],
    ])('maps an upstream %i to %s (%i), before any chunk for streams', async (status, code, clientStatus) => {
      fake.script({ status }, { status });
      expect(await rejection(adapter.chat(request(), TARGET, context()))).toMatchObject({ code, status: clientStatus });
      expect(await rejection(adapter.chatStream(request(), TARGET, context()))).toMatchObject({
        code,
        status: clientStatus,
      });
    });

    it('keeps retry-after from a 429', async () => {
      fake.script({ status: 429, headers: { 'retry-after': '12' } });
      expect((await rejection(adapter.chat(request(), TARGET, context()))).options.retryAfterSeconds).toBe(12);
    });

    it('reports rejected provider credentials as upstream_auth_error, never as the client key', async () => {
      const wrongKey = adapterFor(baseUrl, 'sk-ant-wrong-key-0123456789');
      try {
        const error = await rejection(wrongKey.chat(request(), TARGET, context()));
        expect(error).toMatchObject({ code: 'upstream_auth_error', status: 502 });
        expect(error.message).not.toContain('sk-ant-wrong-key');
      } finally {
        wrongKey.close();
      }
    });

    it("passes the API's own words for a request it rejects as a 400", async () => {
      const messages: ChatCompletionRequest['messages'] = [
        { role: 'user', content: 'Go.' },
        { role: 'tool', tool_call_id: 'toolu_nowhere', content: 'done' },
      ];
      const error = await rejection(adapter.chat(request({ messages }), TARGET, context()));
      expect(error).toMatchObject({ code: 'upstream_bad_request', status: 400 });
      expect(error.message).toContain('unexpected `tool_use_id` found in `tool_result` blocks: toolu_nowhere');
    });

    it('passes a non-JSON error page through as text', async () => {
      fake.script({ status: 413, rawBody: '<html>413 Request Entity Too Large</html>' });
      const error = await rejection(adapter.chat(request(), TARGET, context()));
      expect(error).toMatchObject({ code: 'upstream_bad_request', status: 413 });
      expect(error.message).toContain('413 Request Entity Too Large');
    });

    it('fails the stream on a mid-stream overload event, after the chunks before it', async () => {
      fake.script({ content: [{ type: 'text', text: 'Hello there friend' }], errorAfterEvents: 5 });
      const { chunks, error } = await collectUntilFailure(await adapter.chatStream(request(), TARGET, context()));
      expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('Hello there ');
      expect(error).toMatchObject({ code: 'upstream_unavailable', status: 503 });
      expect(error.message).toContain('overloaded_error: Overloaded');
    });

    it('fails a stream that ends cleanly but without message_stop', async () => {
      fake.script({ endAfterEvents: 6 });
      const { chunks, error } = await collectUntilFailure(await adapter.chatStream(request(), TARGET, context()));
      expect(error).toMatchObject({ code: 'upstream_error' });
      expect(error.message).toContain('message_stop');
      expect(chunks.some((c) => c.choices.length === 0 || c.choices[0].finish_reason)).toBe(false);
    });

    it('fails a stream whose connection drops mid-answer', async () => {
      fake.script({ cutAfterEvents: 4 });
      const { error } = await collectUntilFailure(await adapter.chatStream(request(), TARGET, context()));
      expect(error).toMatchObject({ code: 'upstream_connection_error' });
    });

    it('fails with upstream_invalid_response on a stream it cannot read', async () => {
      fake.script({ rawEvents: 'event: message_start\ndata: {"type":"message_start","message":\n\n' });
      const { error } = await collectUntilFailure(await adapter.chatStream(request(), TARGET, context()));
      expect(error).toMatchObject({ code: 'upstream_invalid_response' });
    });

    it('times out waiting for headers, and on a stream that goes silent', async () => {
      fake.script({ headersDelayMs: 400 });
      expect(await rejection(adapter.chat(request(), TARGET, context({ ttfbMs: 100 })))).toMatchObject({
        code: 'upstream_timeout',
      });
      fake.script({ stallAfterEvents: 3 });
      const { error } = await collectUntilFailure(
        await adapter.chatStream(request(), TARGET, context({ idleMs: 150 })),
      );
      expect(error).toMatchObject({ code: 'upstream_timeout' });
    });

    it('hangs up on the upstream when the caller aborts mid-stream', async () => {
      // A fake of its own, so that no other test's closing connection is counted.
      const upstream = new FakeAnthropicServer(KEY);
      const own = adapterFor(await upstream.start());
      try {
        const controller = new AbortController();
        const reason = new Error('client went away');
        upstream.defaultReply = { eventDelayMs: 50 };
        const stream = await own.chatStream(request(), TARGET, context({ signal: controller.signal }));
        const iterator = stream[Symbol.asyncIterator]();
        await iterator.next();
        controller.abort(reason);
        await expect(iterator.next()).rejects.toBe(reason);
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(upstream.clientAborts).toHaveLength(1);
      } finally {
        own.close();
        await upstream.stop();
      }
    });

    it('rejects content it cannot translate before calling the upstream', async () => {
      const calls = fake.requests.length;
      const messages: ChatCompletionRequest['messages'] = [
        { role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'AA', format: 'wav' } }] },
      ];
      expect(await rejection(adapter.chat(request({ messages }), TARGET, context()))).toMatchObject({
        code: 'invalid_request_error',
        status: 400,
      });
      expect(fake.requests.length).toBe(calls);
    });

    it('has no embeddings', async () => {
      expect(await rejection(adapter.embeddings({ model: 'claude', input: 'hello' }, TARGET, context()))).toMatchObject(
        { code: 'invalid_request_error' },
      );
    });
  });
});

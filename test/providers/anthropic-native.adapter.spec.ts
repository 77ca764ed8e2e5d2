import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { Test, TestingModule } from '@nestjs/testing';
import { ChatCompletionRequest, ClockModule, GatewayError, RouteTrace } from '@app/common';
import { testPrincipal } from '@app/common/testing';
import {
  NativeMessages,
  NativeMessagesEvent,
  NativeMessagesHeaders,
  ProviderAdapter,
  providerConfigSchema,
  StreamEvent,
  UpstreamCallContext,
} from '@app/providers';
import { providerFactory } from '@app/providers/testing';
import { ModelCatalogService, RouterService, RoutingModule } from '@app/routing';
import { FakeAnthropicServer } from '../fakes/fake-anthropic.server';
import { FakeOpenAiServer } from '../fakes/fake-openai.server';

const KEY = 'sk-ant-native-spec-key-0123456789';
const CLIENT_KEY = 'sy-client-key-never-forwarded-0123';
const FIXTURES = join(__dirname, '../../libs/providers/src/anthropic/fixtures');
const TARGET = { upstreamModel: 'claude-upstream-1' };
/** The adapter's configured version, distinct from what clients send, to tell the two apart. */
const CONFIGURED_VERSION = '2023-01-01';
const HEADERS: NativeMessagesHeaders = {
  'anthropic-version': '2023-06-01',
  'anthropic-beta': 'interleaved-thinking-2025-05-14,prompt-caching-2024-07-31',
};

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

/** A Claude Code–style turn: cached system blocks, thinking, a tool loop with an image, metadata. */
function claudeCodeBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    model: 'claude-opus-4-8[1m]',
    max_tokens: 32_000,
    system: [
      { type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral' } },
      { type: 'text', text: 'Project instructions: be terse.', cache_control: { type: 'ephemeral', ttl: '1h' } },
    ],
    thinking: { type: 'enabled', budget_tokens: 4_000 },
    tools: [
      {
        name: 'Read',
        description: 'Read a file',
        input_schema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
      },
      {
        name: 'Bash',
        description: 'Run a command',
        input_schema: { type: 'object', properties: { command: { type: 'string' } } },
        cache_control: { type: 'ephemeral' },
      },
    ],
    tool_choice: { type: 'auto' },
    metadata: { user_id: 'user_abc_account_123_session_456' },
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is in this screenshot and in README.md?' },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'I should read the README.', signature: 'c2lnbmVkLXRoaW5raW5n' },
          { type: 'text', text: 'Reading it.' },
          { type: 'tool_use', id: 'toolu_01Read', name: 'Read', input: { path: 'README.md' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_01Read', content: [{ type: 'text', text: '# Switchyard' }] },
          { type: 'text', text: 'Summarise.', cache_control: { type: 'ephemeral' } },
        ],
      },
    ],
    ...overrides,
  };
}

async function collect(events: AsyncIterable<NativeMessagesEvent>): Promise<NativeMessagesEvent[]> {
  const out: NativeMessagesEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

async function collectUntilFailure(
  events: AsyncIterable<NativeMessagesEvent>,
): Promise<{ events: NativeMessagesEvent[]; error: GatewayError }> {
  const out: NativeMessagesEvent[] = [];
  try {
    for await (const event of events) out.push(event);
  } catch (error) {
    return { events: out, error: error as GatewayError };
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

/** The SSE text the events make when written out as the gateway writes them. */
const encode = (events: NativeMessagesEvent[]) =>
  events.map(({ event, data }) => `event: ${event}\ndata: ${data}\n\n`).join('');

describe('Anthropic native Messages against the fake Anthropic API', () => {
  const fake = new FakeAnthropicServer(KEY);
  let adapter: ProviderAdapter;
  let messages: NativeMessages;

  beforeAll(async () => {
    const baseUrl = await fake.start();
    adapter = providerFactory().create(
      providerConfigSchema.parse({
        id: 'claude',
        type: 'anthropic',
        base_url: baseUrl,
        api_key: KEY,
        anthropic_version: CONFIGURED_VERSION,
      }),
    );
    messages = adapter.messages!;
  });
  afterAll(async () => {
    adapter.close();
    await fake.stop();
  });
  beforeEach(() => {
    fake.defaultReply = {};
    fake.rejections.length = 0;
  });

  it('is offered by the Anthropic adapter', () => {
    expect(messages).toBeDefined();
  });

  describe('create', () => {
    it('sends the client’s body unchanged but for the model, with its version and beta headers and the provider key', async () => {
      const body = claudeCodeBody();
      // Whatever else the caller's header object holds (the client's own key) must not travel upstream.
      const headers = {
        ...HEADERS,
        'x-api-key': CLIENT_KEY,
        authorization: `Bearer ${CLIENT_KEY}`,
      } as NativeMessagesHeaders;
      await messages.create(body, TARGET, context(), headers);

      expect(fake.rejections).toEqual([]);
      const sent = fake.requests.at(-1)!;
      expect(sent).toMatchObject({ method: 'POST', url: '/v1/messages' });
      expect(sent.body).toEqual({ ...body, model: 'claude-upstream-1' });
      expect(Object.keys(sent.body)).toEqual(Object.keys(body));
      expect(sent.headers).toMatchObject({ 'x-api-key': KEY, ...HEADERS });
      expect(sent.headers.authorization).toBeUndefined();
      expect(body.model).toBe('claude-opus-4-8[1m]'); // the caller's object is left alone
    });

    it('sends the configured anthropic-version and no anthropic-beta when the client sent neither', async () => {
      await messages.create(claudeCodeBody(), TARGET, context(), {});
      const sent = fake.requests.at(-1)!;
      expect(sent.headers['anthropic-version']).toBe(CONFIGURED_VERSION);
      expect(sent.headers['anthropic-beta']).toBeUndefined();
    });

    it('answers with the upstream message as received, and its usage with cache reads and writes for the ledger', async () => {
      fake.defaultReply = {
        content: [
          { type: 'thinking', thinking: 'Short README.', signature: 'c2ln' },
          { type: 'text', text: 'It is a gateway.' },
        ],
        usage: {
          input_tokens: 12,
          cache_read_input_tokens: 2_048,
          cache_creation_input_tokens: 100,
          output_tokens: 30,
        },
      };
      const result = await messages.create(claudeCodeBody(), TARGET, context(), HEADERS);
      expect(result.body).toEqual({
        id: expect.stringMatching(/^msg_fake\d+$/),
        type: 'message',
        role: 'assistant',
        model: 'claude-upstream-1-20250929',
        content: [
          { type: 'thinking', thinking: 'Short README.', signature: 'c2ln' },
          { type: 'text', text: 'It is a gateway.' },
        ],
        stop_reason: 'end_turn',
        stop_sequence: null,
        usage: {
          input_tokens: 12,
          cache_read_input_tokens: 2_048,
          cache_creation_input_tokens: 100,
          output_tokens: 30,
          service_tier: 'standard',
        },
      });
      expect(result.usage).toEqual({
        prompt_tokens: 2_160,
        completion_tokens: 30,
        total_tokens: 2_190,
        prompt_tokens_details: { cached_tokens: 2_048 },
      });
    });

    it('sends stream: false only when the client’s body had a stream field', async () => {
      await messages.create(claudeCodeBody({ stream: true }), TARGET, context(), HEADERS);
      expect(fake.requests.at(-1)!.body.stream).toBe(false);
      await messages.create(claudeCodeBody(), TARGET, context(), HEADERS);
      expect('stream' in fake.requests.at(-1)!.body).toBe(false);
    });

    it('maps upstream errors as the chat path does', async () => {
      fake.script(
        { status: 429, headers: { 'retry-after': '7' } },
        { status: 529 },
        {
          status: 400,
          error: { type: 'invalid_request_error', message: 'messages.1: thinking block is missing its signature' },
        },
        { status: 402 },
      );
      expect(await rejection(messages.create(claudeCodeBody(), TARGET, context(), HEADERS))).toMatchObject({
        code: 'upstream_rate_limited',
        options: { retryAfterSeconds: 7, upstreamStatus: 429 },
      });
      expect(await rejection(messages.create(claudeCodeBody(), TARGET, context(), HEADERS))).toMatchObject({
        code: 'upstream_unavailable',
      });
      const badRequest = await rejection(messages.create(claudeCodeBody(), TARGET, context(), HEADERS));
      expect(badRequest).toMatchObject({ code: 'upstream_bad_request', options: { upstreamStatus: 400 } });
      expect(badRequest.status).toBe(400); // the client's own mistake: it gets the upstream's status and words
      expect(badRequest.message).toContain('thinking block is missing its signature');
      expect(await rejection(messages.create(claudeCodeBody(), TARGET, context(), HEADERS))).toMatchObject({
        code: 'upstream_quota_exhausted',
      });
    });

    it('reports the provider key, not the client, when the upstream refuses it', async () => {
      fake.apiKey = 'sk-ant-rotated';
      try {
        const error = await rejection(messages.create(claudeCodeBody(), TARGET, context(), HEADERS));
        expect(error).toMatchObject({ code: 'upstream_auth_error' });
        expect(error.message).not.toContain(KEY);
      } finally {
        fake.apiKey = KEY;
      }
    });

    it('times out like the chat path when the headers are late', async () => {
      fake.script({ headersDelayMs: 500 });
      expect(
        await rejection(messages.create(claudeCodeBody(), TARGET, context({ ttfbMs: 100 }), HEADERS)),
      ).toMatchObject({ code: 'upstream_timeout' });
    });
  });

  describe('stream', () => {
    it('sends the body with stream: true and forwards every event byte for byte, split across TCP writes', async () => {
      const recorded = readFileSync(join(FIXTURES, 'text-and-parallel-tools.sse'), 'utf8');
      fake.script({ rawEvents: recorded, splitBytes: 7 });
      const body = claudeCodeBody();
      const events = await collect(await messages.stream(body, TARGET, context(), HEADERS));

      expect(fake.requests.at(-1)!.body).toEqual({ ...body, model: 'claude-upstream-1', stream: true });
      expect(fake.requests.at(-1)!.headers).toMatchObject({ 'x-api-key': KEY, ...HEADERS });
      expect(encode(events)).toBe(recorded);
    });

    it('reports the stream’s cumulative usage, cache tokens included, and marks the content events', async () => {
      fake.defaultReply = {
        content: [{ type: 'text', text: 'Summarised in one line.' }],
        usage: {
          input_tokens: 12,
          cache_read_input_tokens: 2_048,
          cache_creation_input_tokens: 100,
          output_tokens: 30,
        },
      };
      const events = await collect(await messages.stream(claudeCodeBody(), TARGET, context(), HEADERS));
      const usages = events.filter((event) => event.usage).map((event) => [event.event, event.usage]);
      expect(usages).toEqual([
        [
          'message_start',
          {
            prompt_tokens: 2_160,
            completion_tokens: 1,
            total_tokens: 2_161,
            prompt_tokens_details: { cached_tokens: 2_048 },
          },
        ],
        [
          'message_delta',
          {
            prompt_tokens: 2_160,
            completion_tokens: 30,
            total_tokens: 2_190,
            prompt_tokens_details: { cached_tokens: 2_048 },
          },
        ],
      ]);
      expect(events.find((event) => event.content)?.event).toBe('content_block_start');
      expect(events.at(-1)).toMatchObject({ event: 'message_stop', content: false });
    });

    it('rejects the call itself for an error status', async () => {
      fake.script({ status: 529 });
      expect(await rejection(messages.stream(claudeCodeBody(), TARGET, context(), HEADERS))).toMatchObject({
        code: 'upstream_unavailable',
      });
    });

    it('ends with upstream_unavailable on an overloaded error event, which is not forwarded', async () => {
      fake.script({ errorAfterEvents: 3 });
      const { events, error } = await collectUntilFailure(
        await messages.stream(claudeCodeBody(), TARGET, context(), HEADERS),
      );
      expect(events.map((event) => event.event)).toEqual(['message_start', 'content_block_start', 'ping']);
      expect(error).toMatchObject({ code: 'upstream_unavailable' });
    });

    it('fails a stream cut before message_stop, and one that goes silent', async () => {
      fake.script({ endAfterEvents: 4 }, { stallAfterEvents: 2 });
      expect(
        (await collectUntilFailure(await messages.stream(claudeCodeBody(), TARGET, context(), HEADERS))).error,
      ).toMatchObject({ code: 'upstream_error' });
      const stalled = await collectUntilFailure(
        await messages.stream(claudeCodeBody(), TARGET, context({ idleMs: 150 }), HEADERS),
      );
      expect(stalled.error).toMatchObject({ code: 'upstream_timeout' });
    });
  });
});

describe('RouterService serving Anthropic Messages over real sockets', () => {
  const first = new FakeAnthropicServer(KEY);
  const second = new FakeAnthropicServer(KEY);
  const openAi = new FakeOpenAiServer('sk-openai-native-spec-key');
  const anyKey = testPrincipal();
  let dir: string;
  let module: TestingModule;
  let router: RouterService;
  let catalog: ModelCatalogService;
  const previousConfig = process.env.SWITCHYARD_CONFIG;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    const [a, b, o] = await Promise.all([first.start(), second.start(), openAi.start()]);
    dir = mkdtempSync(join(tmpdir(), 'anthropic-native-'));
    writeFileSync(
      join(dir, 'catalog.yaml'),
      JSON.stringify({
        providers: [
          { id: 'claude-a', type: 'anthropic', base_url: a, api_key: KEY },
          { id: 'claude-b', type: 'anthropic', base_url: b, api_key: KEY },
          { id: 'gpt', type: 'openai', base_url: `${o}/v1`, api_key: 'sk-openai-native-spec-key' },
        ],
        models: [
          {
            name: 'sonnet',
            retry: { max_attempts: 2, base_delay_ms: 0, max_delay_ms: 0 },
            deployments: [
              { provider: 'claude-a', model: 'claude-a-upstream', priority: 0 },
              { provider: 'claude-b', model: 'claude-b-upstream', priority: 1 },
            ],
          },
          {
            name: 'haiku',
            retry: { max_attempts: 1 },
            deployments: [{ provider: 'claude-a', model: 'claude-a-upstream' }],
            fallbacks: ['gpt-model'],
          },
          { name: 'gpt-model', deployments: [{ provider: 'gpt', model: 'gpt-upstream' }] },
        ],
      }),
    );
    process.env.SWITCHYARD_CONFIG = join(dir, 'catalog.yaml');
    module = await Test.createTestingModule({ imports: [ClockModule, RoutingModule] }).compile();
    router = module.get(RouterService);
    catalog = module.get(ModelCatalogService);
  });
  afterAll(async () => {
    await module.close();
    process.env.SWITCHYARD_CONFIG = previousConfig;
    await Promise.all([first.stop(), second.stop(), openAi.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  const route = (model: string, body = claudeCodeBody({ model })) => {
    const chat: ChatCompletionRequest = { model, messages: [{ role: 'user', content: 'Summarise.' }], max_tokens: 100 };
    const trace: RouteTrace = { modelRequested: model, attempts: [] };
    return {
      plan: catalog.plan(anyKey, model),
      request: { native: body, chat, headers: HEADERS },
      call: { requestId: 'req_route', signal: new AbortController().signal, trace },
    };
  };

  it('retries a stream that fails before its first content on the next deployment, which the client alone sees', async () => {
    first.script({ errorAfterEvents: 1 }); // message_start, then overloaded: nothing the client would notice yet
    second.script({ content: [{ type: 'text', text: 'From the second.' }] });
    const { plan, request, call } = route('sonnet');
    const stream = await router.messagesStream(plan, request, call);
    expect(stream.kind).toBe('native');
    const events = await collect(stream.events as AsyncIterable<NativeMessagesEvent>);

    expect(first.requests.at(-1)!.body).toEqual({ ...request.native, model: 'claude-a-upstream', stream: true });
    expect(second.requests.at(-1)!.body).toEqual({ ...request.native, model: 'claude-b-upstream', stream: true });
    expect([...first.rejections, ...second.rejections]).toEqual([]);
    expect(events.filter((event) => event.event === 'message_start')).toHaveLength(1);
    expect(
      events
        .filter((event) => event.event === 'content_block_delta')
        .map((event) => JSON.parse(event.data).delta.text)
        .join(''),
    ).toBe('From the second.');
    expect(call.trace.attempts.map((attempt) => [attempt.deployment, attempt.errorCode])).toEqual([
      ['claude-a/claude-a-upstream', 'upstream_unavailable'],
      ['claude-b/claude-b-upstream', undefined],
    ]);
  });

  it('falls back from a native deployment to an OpenAI one with the chat translation', async () => {
    first.script({ status: 529 }, { status: 529 });
    const nonStream = route('haiku');
    const result = await router.messages(nonStream.plan, nonStream.request, nonStream.call);
    expect(result.kind).toBe('chat');
    expect(nonStream.call.trace).toMatchObject({ modelServed: 'gpt-model', fallbackReason: 'upstream_5xx' });

    const streaming = route('haiku');
    const stream = await router.messagesStream(streaming.plan, streaming.request, streaming.call);
    expect(stream.kind).toBe('chat');
    const chunks: StreamEvent[] = [];
    for await (const event of stream.events as AsyncIterable<StreamEvent>) chunks.push(event);
    expect(chunks.map((event) => event.chunk.choices[0]?.delta.content ?? '').join('')).toContain('Summarise.');
    expect(openAi.calls('/chat/completions').map((sent) => sent.body.model)).toEqual(['gpt-upstream', 'gpt-upstream']);
  });
});

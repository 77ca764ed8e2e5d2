import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { ChatCompletionRequest, ClientDisconnectedError, GatewayError, RouteTrace, SystemClock } from '@app/common';
import { testPrincipal } from '@app/common/testing';
import type {
  ChatResult,
  ChatTarget,
  NativeMessages,
  NativeMessagesEvent,
  NativeMessagesHeaders,
  ProviderAdapter,
  ProviderFactory,
  StreamEvent,
} from '@app/providers';
import { ModelCatalogService } from './catalog/model-catalog.service';
import { DeploymentHealth } from './health/deployment-health';
import { RetryBudget } from './retry/retry-budget';
import { RouterService } from './router.service';

/** An adapter whose chat calls play back a script: a reply, or an error to throw. */
class ScriptedAdapter implements ProviderAdapter {
  readonly type = 'scripted';
  readonly script: Array<GatewayError | 'ok'> = [];
  calls = 0;

  constructor(readonly id: string) {}

  async chat(): Promise<ChatResult> {
    this.calls++;
    const next = this.script.shift() ?? 'ok';
    if (next !== 'ok') throw next;
    return { body: { id: this.id } as never, usage: undefined, droppedParams: [] };
  }

  chatStream: ProviderAdapter['chatStream'] = () => {
    throw new Error('not scripted');
  };

  embeddings(): never {
    throw new Error('not scripted');
  }

  close(): void {}
}

/** A caller without allow-lists: may use every model. */
const ANY_KEY = testPrincipal();

const CATALOG = `
providers: [{ id: a, type: mock }, { id: b, type: mock }]
models:
  - name: model-a
    deployments: [{ provider: a, model: gpt-a }]
    fallbacks: [model-b]
    retry: { base_delay_ms: 5000, max_delay_ms: 5000 }
  - { name: model-b, deployments: [{ provider: b, model: gpt-b }] }
`;

describe('RouterService', () => {
  let adapters: Record<string, ScriptedAdapter>;
  let catalog: ModelCatalogService;
  let router: RouterService;

  beforeAll(() => Logger.overrideLogger(false));
  afterEach(() => jest.restoreAllMocks());

  beforeEach(() => {
    const file = join(mkdtempSync(join(tmpdir(), 'router-')), 'catalog.yaml');
    writeFileSync(file, CATALOG);
    adapters = { a: new ScriptedAdapter('a'), b: new ScriptedAdapter('b') };
    const factory = { create: (config: { id: string }) => adapters[config.id] } as unknown as ProviderFactory;
    const clock = new SystemClock();
    catalog = new ModelCatalogService({ configPath: file }, factory, clock);
    router = new RouterService(new DeploymentHealth(clock), new RetryBudget(clock));
  });

  const request: ChatCompletionRequest = { model: 'model-a', messages: [{ role: 'user', content: 'hi' }] };
  const route = (signal = new AbortController().signal) => {
    const trace: RouteTrace = { modelRequested: 'model-a', attempts: [] };
    const result = router.chat(catalog.plan(ANY_KEY, 'model-a'), request, { requestId: 'req_1', signal, trace });
    return { trace, result };
  };

  it('skips a deployment cooling down after a 429 and records circuit_open as the fallback reason', async () => {
    adapters.a.script.push(
      new GatewayError('upstream_rate_limited', 'slow down', { upstreamStatus: 429, retryAfterSeconds: 30 }),
    );
    const first = route();
    expect((await first.result).body).toEqual({ id: 'b' });
    expect(first.trace).toMatchObject({ modelServed: 'model-b', fallbackReason: 'upstream_429' });

    const second = route();
    expect((await second.result).body).toEqual({ id: 'b' });
    expect(second.trace).toMatchObject({
      modelServed: 'model-b',
      fallbackReason: 'circuit_open',
      deployment: 'b/gpt-b',
    });
    expect(second.trace.attempts).toHaveLength(1);
    expect(adapters.a.calls).toBe(1);
  });

  it('neither retries nor falls back when the provider rejects the gateway’s credentials', async () => {
    adapters.a.script.push(new GatewayError('upstream_auth_error', 'bad provider key', { upstreamStatus: 401 }));
    const { result, trace } = route();
    await expect(result).rejects.toMatchObject({ code: 'upstream_auth_error' });
    expect(trace.attempts).toEqual([
      expect.objectContaining({ deployment: 'a/gpt-a', status: 401, errorCode: 'upstream_auth_error' }),
    ]);
    expect(adapters.b.calls).toBe(0);
  });

  it('stops at once, without another attempt, when the client leaves during a backoff', async () => {
    const unavailable = () => new GatewayError('upstream_unavailable', 'overloaded', { upstreamStatus: 503 });
    adapters.a.script.push(unavailable(), unavailable());
    // The single deployment failed once, so the next attempt first waits a backoff: pin its jitter near 5 s.
    jest.spyOn(Math, 'random').mockReturnValue(0.99);
    const client = new AbortController();
    const { result, trace } = route(client.signal);
    await new Promise((resolve) => setTimeout(resolve, 20));
    client.abort(new ClientDisconnectedError());
    await expect(result).rejects.toBeInstanceOf(ClientDisconnectedError);
    expect(trace.attempts).toHaveLength(1);
    expect(adapters.b.calls).toBe(0);
  });
});

/** Serves `/v1/messages` natively; each call plays the next script entry: a result, or an error to throw. */
class NativeAdapter extends ScriptedAdapter {
  readonly nativeScript: Array<GatewayError | 'ok' | NativeMessagesEvent[]> = [];
  readonly nativeCalls: Array<{ body: Record<string, unknown>; target: ChatTarget; headers: NativeMessagesHeaders }> =
    [];

  readonly messages: NativeMessages = {
    create: async (body, target, _context, headers) => {
      this.nativeCalls.push({ body, target, headers });
      const next = this.nativeScript.shift() ?? 'ok';
      if (next instanceof GatewayError) throw next;
      return { body: { type: 'message', id: this.id }, usage: undefined };
    },
    stream: async (body, target, _context, headers) => {
      this.nativeCalls.push({ body, target, headers });
      const next = this.nativeScript.shift();
      if (next instanceof GatewayError) throw next;
      if (!Array.isArray(next)) throw new Error('no stream scripted');
      return eventsThenFailure(next, new GatewayError('upstream_connection_error', 'dropped mid-stream'));
    },
    countTokens: async (body, target, _context, headers) => {
      this.nativeCalls.push({ body, target, headers });
      const next = this.nativeScript.shift() ?? 'ok';
      if (next instanceof GatewayError) throw next;
      return 42;
    },
  };
}

/** The events, then the failure: a stream cut wherever its script ends. */
async function* eventsThenFailure<E>(events: E[], failure: GatewayError): AsyncGenerator<E> {
  yield* events;
  throw failure;
}

const nativeEvent = (event: string, content: boolean): NativeMessagesEvent => ({
  event,
  data: `{"type":"${event}"}`,
  content,
});

describe('RouterService with Anthropic Messages', () => {
  const MESSAGES_CATALOG = `
providers: [{ id: claude, type: mock }, { id: gpt, type: mock }]
models:
  - name: sonnet
    deployments: [{ provider: claude, model: claude-sonnet-upstream }]
    fallbacks: [gpt-model]
    retry: { max_attempts: 1 }
  - { name: gpt-model, deployments: [{ provider: gpt, model: gpt-upstream }] }
`;
  let claude: NativeAdapter;
  let gpt: ScriptedAdapter;
  let catalog: ModelCatalogService;
  let router: RouterService;

  beforeAll(() => Logger.overrideLogger(false));

  beforeEach(() => {
    const file = join(mkdtempSync(join(tmpdir(), 'router-messages-')), 'catalog.yaml');
    writeFileSync(file, MESSAGES_CATALOG);
    claude = new NativeAdapter('claude');
    gpt = new ScriptedAdapter('gpt');
    const adapters: Record<string, ProviderAdapter> = { claude, gpt };
    const factory = { create: (config: { id: string }) => adapters[config.id] } as unknown as ProviderFactory;
    const clock = new SystemClock();
    catalog = new ModelCatalogService({ configPath: file }, factory, clock);
    router = new RouterService(new DeploymentHealth(clock), new RetryBudget(clock));
  });

  const request = {
    native: {
      model: 'sonnet',
      max_tokens: 100,
      system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }],
      messages: [],
    },
    chat: { model: 'sonnet', messages: [{ role: 'system' as const, content: 'Be brief.' }] },
    headers: { 'anthropic-version': '2023-06-01', 'anthropic-beta': 'prompt-caching-2024-07-31' },
  };
  const routeCall = () => ({
    requestId: 'req_1',
    signal: new AbortController().signal,
    trace: { modelRequested: 'sonnet', attempts: [] } as RouteTrace,
  });

  it('sends the client’s own body and headers to a deployment that speaks Messages, for its upstream model', async () => {
    const result = await router.messages(catalog.plan(ANY_KEY, 'sonnet'), request, routeCall());
    expect(result).toEqual({ kind: 'native', value: { body: { type: 'message', id: 'claude' }, usage: undefined } });
    expect(claude.nativeCalls).toEqual([
      {
        body: request.native,
        target: expect.objectContaining({ upstreamModel: 'claude-sonnet-upstream' }),
        headers: request.headers,
      },
    ]);
    expect(claude.calls).toBe(0);
  });

  it('counts tokens natively on the requested model only, and not at all for a model without a native deployment', async () => {
    const call = routeCall();
    expect(await router.countTokens(catalog.plan(ANY_KEY, 'sonnet'), request, call)).toBe(42);
    expect(call.trace).toMatchObject({ modelServed: 'sonnet', deployment: 'claude/claude-sonnet-upstream' });

    claude.nativeScript.push(new GatewayError('upstream_unavailable', 'overloaded', { upstreamStatus: 529 }));
    // A failing native count is the client's answer; it never becomes another model's count.
    await expect(router.countTokens(catalog.plan(ANY_KEY, 'sonnet'), request, routeCall())).rejects.toMatchObject({
      code: 'upstream_unavailable',
    });
    expect(await router.countTokens(catalog.plan(ANY_KEY, 'gpt-model'), request, routeCall())).toBeUndefined();
    expect(gpt.calls).toBe(0);
  });

  it('falls back to a chat-only deployment with the chat translation, and says so', async () => {
    claude.nativeScript.push(new GatewayError('upstream_unavailable', 'overloaded', { upstreamStatus: 529 }));
    const call = routeCall();
    const result = await router.messages(catalog.plan(ANY_KEY, 'sonnet'), request, call);
    expect(result).toEqual({ kind: 'chat', value: expect.objectContaining({ body: { id: 'gpt' } }) });
    expect(gpt.calls).toBe(1);
    expect(call.trace).toMatchObject({ modelServed: 'gpt-model', fallbackReason: 'upstream_5xx' });
  });

  it('retries a native stream that fails before its first content on the next deployment', async () => {
    claude.nativeScript.push([nativeEvent('message_start', false), nativeEvent('ping', false)]);
    gpt.chatStream = async () =>
      Object.assign(
        eventsThenDone([
          { chunk: { choices: [{ index: 0, delta: { content: 'Hi' }, finish_reason: null }] } as never },
        ]),
        { droppedParams: ['seed'] },
      );
    const call = routeCall();
    const stream = await router.messagesStream(catalog.plan(ANY_KEY, 'sonnet'), request, call);
    expect(stream.kind).toBe('chat');
    expect(stream.kind === 'chat' && stream.droppedParams).toEqual(['seed']);
    const contents: unknown[] = [];
    for await (const event of stream.events as AsyncIterable<StreamEvent>)
      contents.push(event.chunk.choices[0].delta.content);
    expect(contents).toEqual(['Hi']);
    expect(call.trace.attempts.map((a) => [a.deployment, a.errorCode])).toEqual([
      ['claude/claude-sonnet-upstream', 'upstream_connection_error'],
      ['gpt/gpt-upstream', undefined],
    ]);
  });

  it('holds a native stream until its first content, then relays it, and a later failure reaches the consumer', async () => {
    const events = [
      nativeEvent('message_start', false),
      nativeEvent('content_block_start', true),
      nativeEvent('content_block_delta', true),
    ];
    claude.nativeScript.push(events);
    const stream = await router.messagesStream(catalog.plan(ANY_KEY, 'sonnet'), request, routeCall());
    expect(stream.kind).toBe('native');
    const received: NativeMessagesEvent[] = [];
    await expect(
      (async () => {
        for await (const event of stream.events as AsyncIterable<NativeMessagesEvent>) received.push(event);
      })(),
    ).rejects.toMatchObject({ code: 'upstream_connection_error' });
    expect(received).toEqual(events);
    expect(gpt.calls).toBe(0);
  });
});

async function* eventsThenDone<E>(events: E[]): AsyncGenerator<E> {
  yield* events;
}

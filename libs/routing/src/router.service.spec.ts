import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { ChatCompletionRequest, ClientDisconnectedError, GatewayError, Principal, RouteTrace, SystemClock } from '@app/common';
import type { ChatResult, ProviderAdapter, ProviderFactory } from '@app/providers';
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

  chatStream(): never {
    throw new Error('not scripted');
  }

  embeddings(): never {
    throw new Error('not scripted');
  }

  close(): void {}
}

/** A caller without allow-lists: may use every model. */
const ANY_KEY: Principal = {
  keyId: 'key_1',
  maskedKey: 'sy-test-Ab12…wxyz',
  keyName: 'test',
  projectId: 'project_1',
  teamId: 'team_1',
  environment: 'test',
  allowedModels: null,
  allowedTiers: null,
  projectAllowedModels: null,
  projectAllowedTiers: null,
};

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
    adapters.a.script.push(new GatewayError('upstream_rate_limited', 'slow down', { upstreamStatus: 429, retryAfterSeconds: 30 }));
    const first = route();
    expect((await first.result).body).toEqual({ id: 'b' });
    expect(first.trace).toMatchObject({ modelServed: 'model-b', fallbackReason: 'upstream_429' });

    const second = route();
    expect((await second.result).body).toEqual({ id: 'b' });
    expect(second.trace).toMatchObject({ modelServed: 'model-b', fallbackReason: 'circuit_open', deployment: 'b/gpt-b' });
    expect(second.trace.attempts).toHaveLength(1);
    expect(adapters.a.calls).toBe(1);
  });

  it('neither retries nor falls back when the provider rejects the gateway’s credentials', async () => {
    adapters.a.script.push(new GatewayError('upstream_auth_error', 'bad provider key', { upstreamStatus: 401 }));
    const { result, trace } = route();
    await expect(result).rejects.toMatchObject({ code: 'upstream_auth_error' });
    expect(trace.attempts).toEqual([expect.objectContaining({ deployment: 'a/gpt-a', status: 401, errorCode: 'upstream_auth_error' })]);
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

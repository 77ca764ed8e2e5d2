import { setTimeout as sleep } from 'node:timers/promises';
import { postChat, startUpstreams, Upstreams } from '../utils/routing-harness';
import { wireCheck } from '../utils/openai-wire';
import { startTestGateway, TestGateway } from '../utils/test-gateway';

const COOLDOWN_MS = 1_500;

describe('routing: deployment health', () => {
  // Every body received is checked against OpenAI's published OpenAPI document.
  const wire = wireCheck();
  let upstreams: Upstreams;
  let gateway: TestGateway;
  let key: string;

  beforeAll(async () => {
    upstreams = await startUpstreams('flaky', 'steady');
    gateway = await startTestGateway({
      fetch: wire.fetch,
      catalog: {
        providers: upstreams.providers,
        retry_budget: { min_retries: 1_000 },
        models: [
          {
            name: 'pair',
            deployments: [
              { provider: 'flaky', model: 'gpt-pair' },
              { provider: 'steady', model: 'gpt-pair' },
            ],
            health: { failure_threshold: 5, cooldown_ms: COOLDOWN_MS },
          },
        ],
      },
    });
    key = (await gateway.createKey()).key;
  });

  afterAll(async () => {
    await gateway?.close();
    await upstreams?.stop();
  });

  it('ejects a deployment after 5 consecutive failures, moves its traffic, and readmits it after a successful probe', async () => {
    const { flaky, steady } = upstreams.fakes;
    flaky.defaultReply = { status: 500 };
    // Clients never notice: every failure on the flaky deployment is retried on the steady one.
    while (flaky.chatCalls < 5) expect((await postChat(gateway, key, 'pair')).status).toBe(200);
    const ejectedAt = Date.now();

    for (let i = 0; i < 10; i++)
      expect((await postChat(gateway, key, 'pair')).headers.get('x-switchyard-attempts')).toBe('1');
    expect(flaky.chatCalls).toBe(5);
    expect(Date.now() - ejectedAt).toBeLessThan(COOLDOWN_MS);

    flaky.defaultReply = {};
    await sleep(COOLDOWN_MS - (Date.now() - ejectedAt) + 50);
    const steadyBefore = steady.chatCalls;
    for (let i = 0; i < 30; i++) expect((await postChat(gateway, key, 'pair')).status).toBe(200);
    // The probe succeeded, so the deployment takes its weighted share again, not just the one probe.
    expect(flaky.chatCalls - 5).toBeGreaterThanOrEqual(5);
    expect(steady.chatCalls - steadyBefore).toBeGreaterThanOrEqual(5);
  });

  it('stays ejected, for a longer cool-down, when the probe fails', async () => {
    const { flaky } = upstreams.fakes;
    flaky.defaultReply = { status: 500 };
    const before = flaky.chatCalls;
    while (flaky.chatCalls < before + 5) await postChat(gateway, key, 'pair');
    // Traffic flows to the steady deployment until the cool-down is over and one probe goes out; it fails.
    while (flaky.chatCalls < before + 6) await postChat(gateway, key, 'pair');
    const probeFailedAt = Date.now();
    // The next cool-down is at least twice the first: a whole first cool-down later, still nothing.
    while (Date.now() - probeFailedAt < COOLDOWN_MS + 100) await postChat(gateway, key, 'pair');
    expect(flaky.chatCalls).toBe(before + 6);
  });
});

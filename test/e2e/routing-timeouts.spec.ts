import { openChat, postChat, readSse, startUpstreams, streamError, Upstreams } from '../utils/routing-harness';
import { wireCheck } from '../utils/openai-wire';
import { startTestGateway, TestGateway } from '../utils/test-gateway';

/**
 * Each timeout fires at its setting: never early, and within 20 % plus a scheduling allowance late. The
 * allowance absorbs event-loop lag while other test files load both cores (CI once measured 664 ms for a
 * 500 ms setting); the upstream delays are far beyond it, so a timeout that did not fire still fails.
 */
const SCHEDULING_ALLOWANCE_MS = 250;
function expectWithinTolerance(measuredMs: number, settingMs: number): void {
  expect(measuredMs).toBeGreaterThanOrEqual(settingMs * 0.8);
  expect(measuredMs).toBeLessThanOrEqual(settingMs * 1.2 + SCHEDULING_ALLOWANCE_MS);
}

describe('routing: timeouts', () => {
  // Every body received is checked against OpenAI's published OpenAPI document.
  const wire = wireCheck();
  let upstreams: Upstreams;
  let gateway: TestGateway;
  let key: string;

  beforeAll(async () => {
    upstreams = await startUpstreams('slow');
    const deployments = [{ provider: 'slow', model: 'gpt-slow' }];
    gateway = await startTestGateway({
      fetch: wire.fetch,
      catalog: {
        providers: upstreams.providers,
        models: [
          { name: 'ttfb', deployments, timeouts: { ttfb_ms: 500 }, retry: { max_attempts: 1 } },
          { name: 'idle', deployments, timeouts: { idle_ms: 500 } },
          { name: 'total', deployments, timeouts: { total_ms: 600 }, retry: { base_delay_ms: 0, max_delay_ms: 0 } },
        ],
      },
    });
    key = (await gateway.createKey()).key;
    // The first request pays for key lookup and connection set-up; keep it out of the measurements.
    expect((await postChat(gateway, key, 'ttfb')).status).toBe(200);
  });

  afterAll(async () => {
    await gateway?.close();
    await upstreams?.stop();
  });

  const stream = (model: string, content = 'hello') => ({ model, stream: true, messages: [{ role: 'user', content }] });

  it('ttfb_ms: no response headers in time → 504 upstream_timeout at ttfb_ms', async () => {
    upstreams.fakes.slow.script({ headersDelayMs: 3_000 });
    const reply = await postChat(gateway, key, 'ttfb');
    expect(reply.status).toBe(504);
    expect(reply.body.error.code).toBe('upstream_timeout');
    expectWithinTolerance(reply.elapsedMs, 500);
  });

  it('idle_ms: a stall after the first chunk ends the stream with an error event (never [DONE]) after idle_ms', async () => {
    upstreams.fakes.slow.script({ stallAfterEvents: 3 });
    const sentAt = Date.now();
    const events = await readSse(await openChat(gateway, key, stream('idle')), sentAt);
    expect(events.some((event) => event.data === '[DONE]')).toBe(false);
    expect(streamError(events)).toMatchObject({ code: 'upstream_timeout' });
    const lastChunk = events.at(-2)!;
    expect(JSON.parse(lastChunk.data).choices[0].delta.content).toBeTruthy();
    expectWithinTolerance(events.at(-1)!.at - lastChunk.at, 500);
  });

  it('total_ms: covers every attempt; a retry that would run past it ends at total_ms with 504', async () => {
    upstreams.fakes.slow.script({ status: 503 }, { headersDelayMs: 3_000 });
    const reply = await postChat(gateway, key, 'total');
    expect(reply.status).toBe(504);
    expect(reply.body.error.code).toBe('upstream_timeout');
    expect(reply.body.error.message).toContain('total time limit of 600 ms (2 upstream attempts:');
    expect(reply.headers.get('x-switchyard-attempts')).toBe('2');
    expectWithinTolerance(reply.elapsedMs, 600);
  });

  it('total_ms: bounds a stream that keeps flowing, ending it with an error event', async () => {
    upstreams.fakes.slow.script({ eventDelayMs: 100 });
    const sentAt = Date.now();
    const events = await readSse(await openChat(gateway, key, stream('total', 'x'.repeat(120))), sentAt);
    expect(events.length).toBeGreaterThan(3);
    expect(streamError(events)).toMatchObject({ code: 'upstream_timeout' });
    expectWithinTolerance(events.at(-1)!.at, 600);
  });
});

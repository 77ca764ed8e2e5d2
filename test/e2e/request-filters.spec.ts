import { recordsOf } from '../utils/evidence';
import { wireCheck } from '../utils/openai-wire';
import { startUpstreams, Upstreams } from '../utils/routing-harness';
import { startTestGateway, TEST_ADMIN_KEY, TestGateway } from '../utils/test-gateway';

/**
 * The evidence search by status class and by "fallback used", in SQL, on the list and the export. One key's
 * traffic covers each case: plain successes, a retry that recovered on the requested model (not a fallback),
 * a fallback that served, a fallback that failed too, and a client error.
 */
describe('GET /admin/requests: status class and fallback filters', () => {
  // Every body received is checked against OpenAI's published OpenAPI document.
  const wire = wireCheck();
  let upstreams: Upstreams;
  let gateway: TestGateway;
  let caller: { key: string; id: string };

  const chat = async (model: string, requestId: string) => {
    const response = await wire.fetch(`${gateway.baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${caller.key}`, 'content-type': 'application/json', 'x-request-id': requestId },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hello' }] }),
    });
    await response.text();
    return response.status;
  };

  /** Request ids of the key's records matching `query`, oldest first. */
  const search = async (query: string): Promise<string[]> => {
    const answer = await gateway.admin('GET', `/admin/requests?key_id=${caller.id}&${query}`);
    expect({ query, status: answer.status }).toEqual({ query, status: 200 });
    return (answer.body.data as Array<{ request_id: string }>).map((record) => record.request_id).reverse();
  };

  /** Request ids of the key's exported records matching `query`, oldest first (the export's order). */
  const exported = async (query: string, format: 'csv' | 'jsonl'): Promise<string[]> => {
    const response = await fetch(
      `${gateway.baseUrl}/admin/requests/export?key_id=${caller.id}&${query}&format=${format}`,
      { headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` } },
    );
    expect(response.status).toBe(200);
    const lines = (await response.text()).trim().split(/\r?\n/).filter(Boolean);
    if (format === 'jsonl') return lines.map((line) => (JSON.parse(line) as { request_id: string }).request_id);
    const column = lines[0].split(',').indexOf('request_id');
    return lines.slice(1).map((line) => line.split(',')[column]);
  };

  beforeAll(async () => {
    upstreams = await startUpstreams('primary', 'backup');
    gateway = await startTestGateway({
      catalog: {
        providers: upstreams.providers,
        // No ejection: each request's failures are its own, whatever ran before it.
        defaults: {
          retry: { max_attempts: 2, base_delay_ms: 0, max_delay_ms: 0 },
          health: { failure_threshold: 100 },
        },
        retry_budget: { min_retries: 1_000 },
        models: [
          {
            name: 'gpt-main',
            deployments: [{ provider: 'primary', model: 'gpt-main' }],
            fallbacks: ['gpt-backup'],
          },
          { name: 'gpt-backup', deployments: [{ provider: 'backup', model: 'gpt-backup' }] },
        ],
      },
      env: { EVIDENCE_FLUSH_INTERVAL_MS: '20' },
    });
    caller = await gateway.createKey();

    expect(await chat('gpt-main', 'ok-1')).toBe(200);
    upstreams.fakes.primary.script({ status: 503 });
    expect(await chat('gpt-main', 'retried')).toBe(200);
    upstreams.fakes.primary.script({ status: 503 }, { status: 503 });
    expect(await chat('gpt-main', 'fallback-served')).toBe(200);
    upstreams.fakes.primary.script({ status: 503 }, { status: 503 });
    upstreams.fakes.backup.script({ status: 503 }, { status: 503 });
    expect(await chat('gpt-main', 'fallback-failed')).toBeGreaterThanOrEqual(500);
    expect(await chat('no-such-model', 'unknown-model')).toBe(404);
    expect(await chat('gpt-main', 'ok-2')).toBe(200);
    await recordsOf(gateway, 'ok-2');
  });

  afterAll(async () => {
    await gateway?.close();
    await upstreams?.stop();
  });

  it('narrows by status class or exact status', async () => {
    expect(await search('status=2xx')).toEqual(['ok-1', 'retried', 'fallback-served', 'ok-2']);
    expect(await search('status=4xx')).toEqual(['unknown-model']);
    expect(await search('status=5xx')).toEqual(['fallback-failed']);
    expect(await search('status=3xx')).toEqual([]);
    expect(await search('status=404')).toEqual(['unknown-model']);
  });

  it('fallback=true: the route moved on to a fallback model, served or not; a retry on the same model is not one', async () => {
    expect(await search('fallback=true')).toEqual(['fallback-served', 'fallback-failed']);
    expect(await search('fallback=false')).toEqual(['ok-1', 'retried', 'unknown-model', 'ok-2']);
    expect(await search('fallback=true&status=2xx')).toEqual(['fallback-served']);
    const [served] = await recordsOf(gateway, 'fallback-served');
    expect(served).toMatchObject({
      model_requested: 'gpt-main',
      model_served: 'gpt-backup',
      fallback_reason: 'upstream_5xx',
    });
    const [retried] = await recordsOf(gateway, 'retried');
    expect(retried).toMatchObject({ model_served: 'gpt-main', fallback_reason: null });
    expect(retried.attempts).toHaveLength(2);
  });

  it('the export takes the same filters', async () => {
    expect(await exported('status=5xx', 'jsonl')).toEqual(['fallback-failed']);
    expect(await exported('fallback=true', 'csv')).toEqual(['fallback-served', 'fallback-failed']);
    expect(await exported('status=2xx&fallback=false', 'csv')).toEqual(['ok-1', 'retried', 'ok-2']);
  });

  it('answers 400 naming the parameter for anything else', async () => {
    for (const query of [
      'status=6xx',
      'status=5XX',
      'status=abc',
      'status=600',
      'status=',
      'fallback=yes',
      'fallback=1',
    ]) {
      const answer = await gateway.admin('GET', `/admin/requests?${query}`);
      expect({ query, status: answer.status, param: answer.body?.error?.param }).toEqual({
        query,
        status: 400,
        param: query.split('=')[0],
      });
    }
    const exported = await gateway.admin('GET', '/admin/requests/export?status=5x');
    expect(exported.status).toBe(400);
  });
});

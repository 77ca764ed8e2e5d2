import OpenAI from 'openai';
import { RequestRecordWriter, requestRecordFrom } from '@app/audit';
import { INBOUND_APIS } from '@app/common';
import { FakeOpenAiServer } from '../fakes/fake-openai.server';
import { recordsOf } from '../utils/evidence';
import { wireCheck } from '../utils/openai-wire';
import { startTestGateway, TestGateway } from '../utils/test-gateway';

const PROVIDER_KEY = 'sk-evidence-provider-key-3c9d';

/** Each request gets one evidence record with the facts support and compliance ask for; read back through the admin API. */
describe('evidence: one record per request', () => {
  // Every body received is checked against OpenAI's published OpenAPI document.
  const wire = wireCheck();
  let fake: FakeOpenAiServer;
  let flaky: FakeOpenAiServer;
  let gateway: TestGateway;
  let caller: { key: string; id: string; projectId: string; teamId: string };
  let client: OpenAI;
  let sequence = 0;

  beforeAll(async () => {
    fake = new FakeOpenAiServer(PROVIDER_KEY);
    flaky = new FakeOpenAiServer(PROVIDER_KEY);
    flaky.defaultReply = { status: 503 };
    gateway = await startTestGateway({
      catalog: {
        providers: [
          { id: 'openai', type: 'openai', base_url: `${await fake.start()}/v1`, api_key: PROVIDER_KEY },
          { id: 'flaky', type: 'openai', base_url: `${await flaky.start()}/v1`, api_key: PROVIDER_KEY },
        ],
        models: [
          { name: 'gpt-test', aliases: ['fast'], deployments: [{ provider: 'openai', model: 'gpt-test' }] },
          { name: 'gpt-flaky', deployments: [{ provider: 'flaky', model: 'gpt-flaky' }] },
          // $2 in, $8 out per million tokens: 2 and 8 micro-USD per token.
          {
            name: 'gpt-priced',
            pricing: { input_per_mtok: 2, output_per_mtok: 8 },
            deployments: [{ provider: 'openai', model: 'gpt-priced' }],
          },
          {
            name: 'embed-test',
            kind: 'embedding',
            deployments: [{ provider: 'openai', model: 'text-embedding-3-small' }],
          },
        ],
      },
      env: { EVIDENCE_FLUSH_INTERVAL_MS: '50', QUOTA_POLICY_CACHE_MS: '0' },
    });
    caller = await gateway.createKey({ environment: 'production' });
    client = new OpenAI({ apiKey: caller.key, baseURL: `${gateway.baseUrl}/v1`, maxRetries: 0, fetch: wire.fetch });
  });

  afterAll(async () => {
    await gateway?.close();
    await fake?.stop();
    await flaky?.stop();
  });

  const nextRequestId = () => `evidence-${++sequence}-${Date.now()}`;
  const messages = [{ role: 'user' as const, content: 'a message long enough for several chunks' }];
  const maskedKey = () => `${caller.key.slice(0, 12)}…${caller.key.slice(-4)}`;

  async function onlyRecordOf(requestId: string): Promise<any> {
    const records = await recordsOf(gateway, requestId);
    expect(records).toHaveLength(1);
    expect(JSON.stringify(records[0])).not.toContain(caller.key);
    return records[0];
  }

  it('a success: who, what, how it was served, tokens from the provider, timings, client facts', async () => {
    const requestId = nextRequestId();
    const completion = await client.chat.completions.create(
      { model: 'fast', messages, user: 'end-user-42' },
      { headers: { 'x-request-id': requestId, 'x-switchyard-tags': 'feature=checkout, job=nightly-7' } },
    );
    const record = await onlyRecordOf(requestId);
    expect(record).toMatchObject({
      request_id: requestId,
      key_id: caller.id,
      masked_key: maskedKey(),
      team_id: caller.teamId,
      project_id: caller.projectId,
      environment: 'production',
      method: 'POST',
      endpoint: '/v1/chat/completions',
      api: 'chat',
      stream: false,
      model_requested: 'fast',
      model_served: 'gpt-test',
      deployment: 'openai/gpt-test',
      attempts: [{ deployment: 'openai/gpt-test', status: 200, error_code: null, duration_ms: expect.any(Number) }],
      fallback_reason: null,
      status: 200,
      client_aborted: false,
      error_type: null,
      error_code: null,
      upstream_message: null,
      prompt_tokens: completion.usage!.prompt_tokens,
      completion_tokens: completion.usage!.completion_tokens,
      cached_tokens: 0,
      reasoning_tokens: 0,
      usage_source: 'provider',
      client_ip: '127.0.0.1',
      user_agent: expect.stringContaining('OpenAI/JS'),
      end_user: 'end-user-42',
      tags: { feature: 'checkout', job: 'nightly-7' },
    });
    expect(record.ttfb_ms).toBe(record.latency_ms);
    expect(Date.parse(record.created_at)).toBeGreaterThan(Date.now() - 60_000);
    expect(record.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  });

  it('a 401: the model asked for and the failure, with no key to attribute it to', async () => {
    const requestId = nextRequestId();
    const response = await wire.fetch(`${gateway.baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        authorization: 'Bearer sy-test-not-a-real-key',
        'content-type': 'application/json',
        'x-request-id': requestId,
      },
      body: JSON.stringify({ model: 'gpt-test', stream: true, messages }),
    });
    expect(response.status).toBe(401);
    const record = await onlyRecordOf(requestId);
    expect(record).toMatchObject({
      key_id: null,
      masked_key: null,
      team_id: null,
      api: 'chat',
      status: 401,
      stream: true,
      model_requested: 'gpt-test',
      model_served: null,
      attempts: [],
      error_type: 'invalid_request_error',
      error_code: 'invalid_api_key',
      prompt_tokens: null,
      usage_source: null,
      cost_micro_usd: null,
    });
    expect(JSON.stringify(record)).not.toContain('sy-test-not-a-real-key');
  });

  it('an upstream 503 after retries: every attempt with its status and error class', async () => {
    const requestId = nextRequestId();
    const error = await client.chat.completions
      .create({ model: 'gpt-flaky', messages }, { headers: { 'x-request-id': requestId } })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 503 });
    const record = await onlyRecordOf(requestId);
    expect(record).toMatchObject({
      status: 503,
      error_type: 'upstream_error',
      error_code: 'upstream_unavailable',
      model_served: null,
      deployment: null,
    });
    expect(record.attempts.length).toBe(flaky.calls('/chat/completions').length);
    expect(record.attempts.length).toBeGreaterThan(1);
    for (const attempt of record.attempts) {
      expect(attempt).toEqual({
        deployment: 'flaky/gpt-flaky',
        status: 503,
        error_code: 'upstream_unavailable',
        duration_ms: expect.any(Number),
      });
    }
  });

  it('an upstream rejection keeps the upstream’s own words', async () => {
    const requestId = nextRequestId();
    fake.script({ status: 400 });
    const error = await client.chat.completions
      .create({ model: 'gpt-test', messages }, { headers: { 'x-request-id': requestId } })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 400 });
    const record = await onlyRecordOf(requestId);
    expect(record).toMatchObject({
      status: 400,
      error_code: 'upstream_bad_request',
      upstream_message: "Invalid value for 'temperature'.",
    });
  });

  it('a completed stream: its last usage chunk, time to first byte before the end', async () => {
    const requestId = nextRequestId();
    fake.script({ eventDelayMs: 30 });
    const stream = await client.chat.completions.create(
      { model: 'gpt-test', messages, stream: true, stream_options: { include_usage: true } },
      { headers: { 'x-request-id': requestId } },
    );
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) usage = chunk.usage ?? usage;
    const record = await onlyRecordOf(requestId);
    expect(record).toMatchObject({
      stream: true,
      status: 200,
      client_aborted: false,
      error_code: null,
      prompt_tokens: usage!.prompt_tokens,
      completion_tokens: usage!.completion_tokens,
      usage_source: 'provider',
    });
    expect(record.ttfb_ms).toBeLessThan(record.latency_ms);
    // The stream took at least its event delays; latency is measured to its end, not to the headers.
    expect(record.latency_ms).toBeGreaterThanOrEqual(150);
  });

  it('a stream the client did not ask usage for still records the upstream usage', async () => {
    const requestId = nextRequestId();
    const stream = await client.chat.completions.create(
      { model: 'gpt-test', messages, stream: true },
      { headers: { 'x-request-id': requestId } },
    );
    for await (const chunk of stream) expect(chunk.usage ?? undefined).toBeUndefined();
    const record = await onlyRecordOf(requestId);
    expect(record.usage_source).toBe('provider');
    expect(record.completion_tokens).toBeGreaterThan(0);
  });

  it('a stream the client aborted: one record, marked aborted, with the usage seen so far', async () => {
    const requestId = nextRequestId();
    fake.script({ eventDelayMs: 200 });
    const controller = new AbortController();
    const response = await wire.fetch(`${gateway.baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${caller.key}`, 'content-type': 'application/json', 'x-request-id': requestId },
      body: JSON.stringify({ model: 'gpt-test', stream: true, messages }),
      signal: controller.signal,
    });
    await response.body!.getReader().read();
    controller.abort();
    const record = await onlyRecordOf(requestId);
    expect(record).toMatchObject({
      stream: true,
      status: 200,
      client_aborted: true,
      error_code: null,
      model_served: 'gpt-test',
    });
    // The usage chunk comes last, so none was seen: the record carries an estimate, marked as such.
    expect(record.usage_source).toBe('estimated');
    expect(record.prompt_tokens).toBeGreaterThan(0);
    expect(record.latency_ms).toBeLessThan(1_000);
  });

  it('a stream that failed upstream mid-way: status 200 was sent, the error that ended it is recorded', async () => {
    const requestId = nextRequestId();
    fake.script({ errorAfterEvents: 3 });
    const response = await wire.fetch(`${gateway.baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${caller.key}`, 'content-type': 'application/json', 'x-request-id': requestId },
      body: JSON.stringify({ model: 'gpt-test', stream: true, messages }),
    });
    expect(await response.text()).toContain('"error"');
    const record = await onlyRecordOf(requestId);
    expect(record).toMatchObject({ stream: true, status: 200, client_aborted: false, error_code: 'upstream_error' });
    expect(record.upstream_message).toContain('error while processing your request');
  });

  it('a base-URL mistake is recorded under the path that was called', async () => {
    const requestId = nextRequestId();
    const response = await wire.fetch(`${gateway.baseUrl}/chat/completions?api-version=1`, {
      method: 'POST',
      headers: { authorization: `Bearer ${caller.key}`, 'content-type': 'application/json', 'x-request-id': requestId },
      body: JSON.stringify({ model: 'gpt-test', messages }),
    });
    expect(response.status).toBe(404);
    const record = await onlyRecordOf(requestId);
    expect(record).toMatchObject({
      endpoint: '/chat/completions',
      api: null,
      status: 404,
      error_code: 'not_found',
      model_requested: 'gpt-test',
    });
  });

  it('an embeddings call is recorded under its inbound API', async () => {
    const requestId = nextRequestId();
    const result = await client.embeddings.create(
      { model: 'embed-test', input: ['a', 'bb'] },
      { headers: { 'x-request-id': requestId } },
    );
    expect(await onlyRecordOf(requestId)).toMatchObject({
      endpoint: '/v1/embeddings',
      api: 'embeddings',
      status: 200,
      model_served: 'embed-test',
      prompt_tokens: result.usage.prompt_tokens,
    });
  });

  it('a model list is recorded with its key but no inbound API: it is not a model call', async () => {
    const requestId = nextRequestId();
    const response = await wire.fetch(`${gateway.baseUrl}/v1/models`, {
      headers: { authorization: `Bearer ${caller.key}`, 'x-request-id': requestId },
    });
    expect(response.status).toBe(200);
    expect(await onlyRecordOf(requestId)).toMatchObject({
      method: 'GET',
      endpoint: '/v1/models',
      api: null,
      key_id: caller.id,
      status: 200,
    });
  });

  it('the records table takes every inbound API name the gateway knows', async () => {
    // A name missing from the column's check would have its records refused by the database, and lost.
    const writer = gateway.gateway.app.get(RequestRecordWriter);
    const droppedBefore = writer.stats.dropped;
    const requestIds = INBOUND_APIS.map((api) => {
      const requestId = `${nextRequestId()}-${api}`;
      writer.add(
        requestRecordFrom({
          context: { requestId, api, receivedAt: Date.now(), costMicroUsd: null },
          method: 'POST',
          endpoint: '/v1/any',
          status: 200,
          clientAborted: false,
          stream: false,
          endedAt: Date.now() + 1,
          clientIp: '127.0.0.1',
          userAgent: null,
          endUser: null,
        }),
      );
      return requestId;
    });
    const stored = await Promise.all(requestIds.map((requestId) => recordsOf(gateway, requestId)));
    expect(stored.map((records) => records.map((record) => record.api))).toEqual(INBOUND_APIS.map((api) => [api]));
    expect(writer.stats.dropped).toBe(droppedBefore);
  });

  it('malformed caller tags are refused with a 400 that names the header, and recorded', async () => {
    const requestId = nextRequestId();
    const error = await client.chat.completions
      .create(
        { model: 'gpt-test', messages },
        { headers: { 'x-request-id': requestId, 'x-switchyard-tags': 'no-equals-sign' } },
      )
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 400, param: 'x-switchyard-tags' });
    expect(await onlyRecordOf(requestId)).toMatchObject({
      status: 400,
      error_code: 'invalid_request_error',
      attempts: [],
      tags: null,
    });
  });

  it('a priced request records its cost from the provider’s usage', async () => {
    const requestId = nextRequestId();
    const completion = await client.chat.completions.create(
      { model: 'gpt-priced', messages },
      { headers: { 'x-request-id': requestId } },
    );
    const { prompt_tokens, completion_tokens } = completion.usage!;
    expect((await onlyRecordOf(requestId)).cost_micro_usd).toBe(prompt_tokens * 2 + completion_tokens * 8);
  });

  it('a 429 from a rate limit and a 402 from a budget: one record each, with the quota error', async () => {
    const limited = await gateway.createKey();
    expect((await gateway.admin('PUT', `/admin/keys/${limited.id}/rate-limits`, { rpm: 1 })).status).toBe(200);
    const broke = await gateway.createKey();
    expect(
      (await gateway.admin('PUT', `/admin/keys/${broke.id}/budget`, { limit_usd: 0.0001, period: 'monthly' })).status,
    ).toBe(200);
    const send = async (key: string, model: string) => {
      const requestId = nextRequestId();
      const response = await wire.fetch(`${gateway.baseUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'x-request-id': requestId },
        body: JSON.stringify({ model, messages }),
      });
      return { status: response.status, requestId };
    };

    expect((await send(limited.key, 'gpt-test')).status).toBe(200);
    const throttled = await send(limited.key, 'gpt-test');
    expect(throttled.status).toBe(429);
    expect(await onlyRecordOf(throttled.requestId)).toMatchObject({
      key_id: limited.id,
      status: 429,
      error_code: 'rate_limit_exceeded',
      attempts: [],
    });

    const refused = await send(broke.key, 'gpt-priced');
    expect(refused.status).toBe(402);
    expect(await onlyRecordOf(refused.requestId)).toMatchObject({
      key_id: broke.id,
      status: 402,
      error_code: 'insufficient_quota',
      attempts: [],
    });
  });

  it('health, metrics and admin calls are not request records', async () => {
    for (const path of ['/healthz', '/readyz', '/metrics', '/admin/teams']) await fetch(gateway.baseUrl + path);
    // Records are written in order of completion: once this one is stored, the calls above would be too.
    const requestId = nextRequestId();
    await client.chat.completions.create({ model: 'gpt-test', messages }, { headers: { 'x-request-id': requestId } });
    await recordsOf(gateway, requestId);
    const all = await gateway.admin('GET', '/admin/requests?limit=500');
    const endpoints = new Set(all.body.data.map((record: any) => record.endpoint));
    expect(
      [...endpoints].filter((endpoint: any) => !endpoint.startsWith('/v1/') && endpoint !== '/chat/completions'),
    ).toEqual([]);
  });

  it('replies sent whole carry server-timing with the gateway and upstream shares', async () => {
    const requestId = nextRequestId();
    const response = await wire.fetch(`${gateway.baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${caller.key}`, 'content-type': 'application/json', 'x-request-id': requestId },
      body: JSON.stringify({ model: 'gpt-test', messages }),
    });
    expect(response.headers.get('server-timing')).toMatch(/^gateway;dur=\d+(\.\d)?, upstream;dur=\d+$/);
    await onlyRecordOf(requestId); // the usage report below counts every request made so far
  });

  it('lists records newest first with filters and a cursor, and finds one by request id', async () => {
    const first = await gateway.admin('GET', `/admin/requests?key_id=${caller.id}&limit=2`);
    expect(first.status).toBe(200);
    expect(first.body.data).toHaveLength(2);
    expect(first.body.data[0].created_at > first.body.data[1].created_at).toBe(true);
    const second = await gateway.admin(
      'GET',
      `/admin/requests?key_id=${caller.id}&limit=2&cursor=${first.body.next_cursor}`,
    );
    expect(second.body.data[0].created_at < first.body.data[1].created_at).toBe(true);

    const failed = await gateway.admin(
      'GET',
      `/admin/requests?key_id=${caller.id}&status=503&error_code=upstream_unavailable`,
    );
    expect(failed.body.data.length).toBeGreaterThan(0);
    expect(failed.body.data.every((record: any) => record.status === 503)).toBe(true);
    const byModel = await gateway.admin('GET', `/admin/requests?model=gpt-flaky&team_id=${caller.teamId}`);
    expect(byModel.body.data.every((record: any) => record.model_requested === 'gpt-flaky')).toBe(true);
    const byApi = await gateway.admin('GET', `/admin/requests?key_id=${caller.id}&api=embeddings`);
    expect(byApi.body.data.map((record: any) => record.endpoint)).toEqual(['/v1/embeddings']);
    expect((await gateway.admin('GET', '/admin/requests?api=completions')).status).toBe(400);
    const none = await gateway.admin(
      'GET',
      `/admin/requests?key_id=${caller.id}&since=${new Date(Date.now() + 60_000).toISOString()}`,
    );
    expect(none.body).toEqual({ object: 'list', data: [], next_cursor: null });

    const one = await gateway.admin('GET', `/admin/requests/${encodeURIComponent(first.body.data[0].request_id)}`);
    expect(one.body).toEqual(first.body.data[0]);
    expect((await gateway.admin('GET', '/admin/requests/no-such-request')).status).toBe(404);
    expect((await gateway.admin('GET', '/admin/requests?cursor=bogus')).status).toBe(400);
    expect((await gateway.admin('GET', '/admin/requests?colour=red')).status).toBe(400);
  });

  it('reports usage per key, team, project, model, inbound API and day from the rollups', async () => {
    const byKey = await gateway.admin('GET', `/admin/usage?group_by=key&key_id=${caller.id}`);
    expect(byKey.status).toBe(200);
    const listed = await gateway.admin('GET', `/admin/requests?key_id=${caller.id}&limit=500`);
    const records: any[] = listed.body.data;
    const sum = (field: string) => records.reduce((total, record) => total + (record[field] ?? 0), 0);
    expect(byKey.body.data).toEqual([
      {
        key_id: caller.id,
        requests: records.length,
        errors: records.filter((record) => record.error_code !== null).length,
        prompt_tokens: sum('prompt_tokens'),
        cached_tokens: sum('cached_tokens'),
        completion_tokens: sum('completion_tokens'),
        reasoning_tokens: sum('reasoning_tokens'),
        cost_micro_usd: sum('cost_micro_usd'),
        images: sum('images'),
      },
    ]);
    const byModel = await gateway.admin('GET', `/admin/usage?group_by=model&team_id=${caller.teamId}`);
    expect(byModel.body.data.map((row: any) => row.model).sort()).toEqual([
      '',
      'embed-test',
      'gpt-flaky',
      'gpt-priced',
      'gpt-test',
    ]);
    const byApi = await gateway.admin('GET', `/admin/usage?group_by=api&key_id=${caller.id}`);
    const count = (api: string | null) => records.filter((record) => record.api === api).length;
    expect(byApi.body.data).toEqual([
      expect.objectContaining({ api: 'chat', requests: count('chat') }),
      expect.objectContaining({
        api: 'embeddings',
        requests: count('embeddings'),
        prompt_tokens: records.find((record) => record.api === 'embeddings').prompt_tokens,
      }),
      expect.objectContaining({ api: null, requests: count(null) }), // the model list
    ]);
    expect(count('chat') + count('embeddings') + count(null)).toBe(records.length);
    const byDay = await gateway.admin('GET', `/admin/usage?group_by=day&project_id=${caller.projectId}`);
    expect(byDay.body.data).toEqual([
      expect.objectContaining({ day: records[0].created_at.slice(0, 10), requests: records.length }),
    ]);
    expect((await gateway.admin('GET', `/admin/usage?group_by=team`)).body.data).toContainEqual(
      expect.objectContaining({ team_id: caller.teamId }),
    );
    const colour = await gateway.admin('GET', '/admin/usage?group_by=colour');
    expect(colour.status).toBe(400);
    expect(colour.body.error.message).toMatch(/group_by: .*"team".*"project".*"key".*"model".*"api".*"day"/);
  });
});

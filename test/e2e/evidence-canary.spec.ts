import OpenAI from 'openai';
import { Client } from 'pg';
import { errorEnvelope, FakeOpenAiServer } from '../fakes/fake-openai.server';
import { recordsOf } from '../utils/evidence';
import { wireCheck } from '../utils/openai-wire';
import { startTestGateway, TestGateway } from '../utils/test-gateway';

/** Not shaped like any known key format: only scrubbing of the configured provider keys can catch it. */
const PROVIDER_CANARY = 'canary-provider-Zq8v3KfP2mWx7Ry4Tb';

/**
 * A canary gateway key and a canary provider key go through every path that could leak them — echoed in
 * upstream errors, pasted into URLs, tags, the `user` field, the model name and `x-request-id`, presented
 * after revocation — and must then appear nowhere: not in the logs, any table, any error body or the metrics.
 */
describe('evidence never holds a key', () => {
  // Every body received is checked against OpenAI's published OpenAPI document.
  const wire = wireCheck();
  let fake: FakeOpenAiServer;
  let gateway: TestGateway;
  let canary: { key: string; id: string };
  const bodies: string[] = [];

  beforeAll(async () => {
    fake = new FakeOpenAiServer(PROVIDER_CANARY);
    gateway = await startTestGateway({
      catalog: {
        providers: [{ id: 'openai', type: 'openai', base_url: `${await fake.start()}/v1`, api_key: PROVIDER_CANARY }],
        models: [
          { name: 'gpt-test', deployments: [{ provider: 'openai', model: 'gpt-test' }], retry: { max_attempts: 1 } },
        ],
      },
      env: { EVIDENCE_FLUSH_INTERVAL_MS: '50' },
    });
    canary = await gateway.createKey({ environment: 'staging' });
  });

  afterAll(async () => {
    await gateway?.close();
    await fake?.stop();
  });

  const call = async (path: string, init: { key?: string; headers?: Record<string, string>; body?: object } = {}) => {
    const response = await wire.fetch(gateway.baseUrl + path, {
      method: init.body ? 'POST' : 'GET',
      headers: {
        authorization: `Bearer ${init.key ?? canary.key}`,
        'content-type': 'application/json',
        ...init.headers,
      },
      body: init.body && JSON.stringify(init.body),
    });
    bodies.push(await response.text());
    return response;
  };
  const chatBody = (extra: object = {}) => ({
    model: 'gpt-test',
    messages: [{ role: 'user', content: 'hello' }],
    ...extra,
  });

  it('goes through every path with both keys', async () => {
    expect(
      (
        await call('/v1/chat/completions', {
          body: chatBody({ user: canary.key }),
          headers: { 'x-switchyard-tags': `pasted=${canary.key}` },
        })
      ).status,
    ).toBe(200);
    expect((await call('/v1/chat/completions', { body: chatBody({ stream: true }) })).status).toBe(200);
    expect(
      (
        await call('/v1/chat/completions', {
          body: chatBody(),
          headers: { 'x-api-key': canary.key, authorization: '' },
        })
      ).status,
    ).toBe(200);
    expect(
      (await call('/v1/chat/completions', { body: chatBody(), headers: { 'x-request-id': canary.key } })).status,
    ).toBe(200);
    expect((await call('/v1/chat/completions', { body: chatBody({ model: canary.key }) })).status).toBe(404);
    expect((await call(`/v1/models?api_key=${canary.key}`)).status).toBe(200);
    expect((await call(`/v1/${canary.key}/chat/completions`, { body: chatBody() })).status).toBe(404);

    fake.script({
      status: 400,
      errorBody: errorEnvelope(
        `The key ${PROVIDER_CANARY} may not set 'temperature'.`,
        'invalid_request_error',
        'bad_param',
      ),
    });
    expect((await call('/v1/chat/completions', { body: chatBody() })).status).toBe(400);
    fake.script({
      status: 500,
      errorBody: errorEnvelope(`Internal error for ${PROVIDER_CANARY}`, 'server_error', null),
    });
    expect((await call('/v1/chat/completions', { body: chatBody() })).status).toBe(502);

    const client = new OpenAI({
      apiKey: canary.key,
      baseURL: `${gateway.baseUrl}/v1`,
      maxRetries: 0,
      fetch: wire.fetch,
    });
    expect((await client.chat.completions.create(chatBody() as any)).choices[0].message.content).toBe('Echo: hello');
    expect((await gateway.admin('POST', `/admin/keys/${canary.id}/revoke`)).status).toBe(200);
    const revoked = await call('/v1/chat/completions', {
      body: chatBody(),
      headers: { 'x-request-id': 'canary-last' },
    });
    expect(revoked.status).toBe(401);
    expect(await recordsOf(gateway, 'canary-last')).toHaveLength(1);
  });

  it('finds neither key in logs, tables, error bodies or metrics', async () => {
    const client = new Client({ connectionString: gateway.database.url });
    await client.connect();
    const dump: string[] = [];
    try {
      const tables = await client.query(
        `SELECT format('%I.%I', table_schema, table_name) AS name FROM information_schema.tables
         WHERE table_schema NOT IN ('pg_catalog', 'information_schema') AND table_type = 'BASE TABLE'`,
      );
      expect(tables.rows.map((table) => table.name)).toEqual(
        expect.arrayContaining(['public.request_records', 'public.audit_events', 'public.usage_daily']),
      );
      for (const { name } of tables.rows)
        dump.push(...(await client.query(`SELECT t::text AS row FROM ${name} t`)).rows.map((row) => row.row));
    } finally {
      await client.end();
    }
    const metrics = await (await fetch(`${gateway.baseUrl}/metrics`)).text();
    const places = { logs: gateway.logs.join('\n'), tables: dump.join('\n'), bodies: bodies.join('\n'), metrics };
    expect(places.tables).toContain('[redacted]');
    for (const [place, text] of Object.entries(places)) {
      for (const secret of [canary.key, canary.key.slice(12, -4), PROVIDER_CANARY])
        expect([place, text.includes(secret)]).toEqual([place, false]);
    }
  });
});

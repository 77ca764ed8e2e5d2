import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { DataSource } from 'typeorm';
import { Clock } from '@app/common';
import { FakeOpenAiServer } from '../fakes/fake-openai.server';
import { eventually } from '../utils/eventually';
import { recordsOf } from '../utils/evidence';
import { wireCheck } from '../utils/openai-wire';
import { sampleValue } from '../utils/prometheus';
import { TcpProxy } from '../utils/tcp-proxy';
import { startTestGateway, TestGateway } from '../utils/test-gateway';
import { IdempotencyPurge } from '../../apps/gateway/src/v1/idempotency/idempotency-purge';
import { IdempotencyStore } from '../../apps/gateway/src/v1/idempotency/idempotency.store';

const PROVIDER_KEY = 'sk-provider-idempotency';
const PRICING = { input_per_mtok: 2, output_per_mtok: 8 };
const DAY_AND_AN_HOUR_MS = 25 * 3_600_000;
const METRICS_TOKEN = 'metrics-scrape-token-idempotency-01';

interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

/**
 * Idempotency-Key on /v1 (docs/idempotency.md): one upstream call and one charge per gateway key and
 * Idempotency-Key, however many times and on however many instances the request is repeated; the stored
 * answer replayed byte for byte with `idempotent-replayed: true`; another body under the key refused (422);
 * answers a retry may change (5xx) not kept; expiry and purge by the injected Clock.
 */
describe('Idempotency-Key on /v1', () => {
  // Every body received, replays included, is checked against OpenAI's published OpenAPI document.
  const wire = wireCheck();
  const upstream = new FakeOpenAiServer(PROVIDER_KEY);
  let gateway: TestGateway;
  /**
   * A second instance on the same database: it waits at most 300 ms for a request in flight elsewhere and
   * keeps answers of at most 1 KiB.
   */
  let impatient: TestGateway;
  /** A third, reaching the same database through a proxy the test can cut. */
  let proxied: TestGateway;
  let proxy: TcpProxy;
  let sequence = 0;

  beforeAll(async () => {
    const upstreamUrl = await upstream.start();
    const catalog = {
      // One attempt per request: a scripted 5xx reaches the client as one upstream call.
      defaults: { retry: { max_attempts: 1 }, health: { failure_threshold: 10 } },
      providers: [{ id: 'openai', type: 'openai', base_url: `${upstreamUrl}/v1`, api_key: PROVIDER_KEY }],
      models: [
        { name: 'gpt-priced', pricing: PRICING, deployments: [{ provider: 'openai', model: 'gpt-priced' }] },
        {
          name: 'embed-priced',
          kind: 'embedding',
          pricing: PRICING,
          deployments: [{ provider: 'openai', model: 'embed-priced' }],
        },
        {
          name: 'image-priced',
          kind: 'image',
          pricing: { per_image: { default: 0.04 } },
          deployments: [{ provider: 'openai', model: 'dall-e-2' }],
        },
      ],
    };
    const env = { QUOTA_FLUSH_INTERVAL_MS: '100', EVIDENCE_FLUSH_INTERVAL_MS: '50', METRICS_TOKEN };
    gateway = await startTestGateway({ catalog, env });
    impatient = await startTestGateway({
      catalog,
      env: { ...env, IDEMPOTENCY_WAIT_MS: '300', IDEMPOTENCY_MAX_RESPONSE_BYTES: '1024' },
      database: gateway.database,
    });
    const direct = new URL(gateway.database.url);
    proxy = new TcpProxy(direct.hostname, Number(direct.port || 5432));
    const throughProxy = new URL(gateway.database.url);
    throughProxy.port = String(await proxy.start());
    proxied = await startTestGateway({
      catalog,
      env: { ...env, DATABASE_SPILL_DIR: mkdtempSync(join(tmpdir(), 'switchyard-idempotency-spill-')) },
      database: { url: throughProxy.toString(), drop: async () => undefined },
    });
  });

  afterEach(() => {
    upstream.defaultReply = {};
    jest.restoreAllMocks();
  });

  afterAll(async () => {
    proxy?.restore();
    await proxied?.close();
    await proxy?.stop();
    await impatient?.close();
    await gateway?.close();
    await upstream.stop();
  });

  const chatCalls = () => upstream.calls('/chat/completions').length;
  const metric = async (name: string, labels: Record<string, string>) =>
    sampleValue(
      await (
        await fetch(`${gateway.baseUrl}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
      ).text(),
      name,
      labels,
    );
  const query = (sql: string, params: unknown[] = []) => gateway.gateway.app.get(DataSource).query(sql, params);
  const newIdempotencyKey = () => `idem-${++sequence}-${Date.now()}`;
  const chatBody = (content = 'hello', stream = false) => ({
    model: 'gpt-priced',
    messages: [{ role: 'user', content }],
    max_tokens: 50,
    stream,
  });

  async function send(
    on: TestGateway,
    key: string,
    path: string,
    body: object,
    idempotencyKey: string | undefined,
    requestId?: string,
  ): Promise<Answer> {
    const headers: Record<string, string> = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    if (idempotencyKey !== undefined) headers['idempotency-key'] = idempotencyKey;
    if (requestId) headers['x-request-id'] = requestId;
    const response = await wire.fetch(`${on.baseUrl}/v1/${path}`, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
    });
    return { status: response.status, headers: response.headers, text: await response.text() };
  }

  it('50 concurrent identical requests: one upstream call, one ledger charge, 50 identical answers, 49 replays recorded at cost 0', async () => {
    const caller = await gateway.createKey();
    expect(
      (await gateway.admin('PUT', `/admin/keys/${caller.id}/budget`, { limit_usd: 1, period: 'total' })).status,
    ).toBe(200);
    upstream.defaultReply = { headersDelayMs: 400 };
    const before = chatCalls();
    const idempotencyKey = newIdempotencyKey();
    const requestIds = Array.from({ length: 50 }, (_, i) => `${idempotencyKey}-request-${i}`);

    const answers = await Promise.all(
      requestIds.map((requestId) =>
        send(gateway, caller.key, 'chat/completions', chatBody(), idempotencyKey, requestId),
      ),
    );

    expect(chatCalls() - before).toBe(1);
    expect(answers.map((answer) => answer.status)).toEqual(Array(50).fill(200));
    expect(new Set(answers.map((answer) => answer.text)).size).toBe(1);
    const replayed = answers.filter((answer) => answer.headers.get('idempotent-replayed') === 'true');
    expect(replayed).toHaveLength(49);
    const original = answers.find((answer) => !answer.headers.has('idempotent-replayed'))!;
    for (const answer of replayed) {
      expect(answer.headers.get('content-type')).toBe(original.headers.get('content-type'));
      expect(answer.headers.get('x-switchyard-deployment')).toBe(original.headers.get('x-switchyard-deployment'));
      expect(answer.headers.get('x-switchyard-original-request-id')).toBe(original.headers.get('x-request-id'));
    }

    // One charge: one ledger entry, and the budget spent is exactly it.
    const ledger = await eventually(
      (): Promise<Array<{ cost: number }>> =>
        query(`SELECT cost_micros::int AS cost FROM ledger_entries WHERE key_id = $1`, [caller.id]),
      (rows) => rows.length > 0,
    );
    const balance = await eventually(
      async () => (await gateway.admin('GET', `/admin/keys/${caller.id}/balance`)).body,
      (body) => body.reserved_usd === 0,
    );
    expect(ledger).toHaveLength(1);
    expect(ledger[0].cost).toBeGreaterThan(0);
    expect(Math.round(balance.spent_usd * 1e6)).toBe(ledger[0].cost);

    // Every request leaves its evidence record: the replays marked, with cost 0.
    const records = (await Promise.all(requestIds.map((requestId) => recordsOf(gateway, requestId)))).flat();
    expect(records).toHaveLength(50);
    const replays = records.filter((record) => record.idempotent_replay);
    expect(replays).toHaveLength(49);
    for (const record of replays) expect(record).toMatchObject({ status: 200, cost_micro_usd: 0, attempts: [] });
    expect(records.find((record) => !record.idempotent_replay)).toMatchObject({ cost_micro_usd: ledger[0].cost });
    expect(await metric('switchyard_idempotent_replays_total', { api: 'chat' })).toBeGreaterThanOrEqual(49);
  });

  it('images, through the same pipeline with no code of their own: the SDK repeat is one generation and one charge', async () => {
    const caller = await gateway.createKey();
    const client = new OpenAI({
      apiKey: caller.key,
      baseURL: `${gateway.baseUrl}/v1`,
      maxRetries: 0,
      fetch: wire.fetch,
    });
    const options = { headers: { 'Idempotency-Key': newIdempotencyKey() } };
    const before = upstream.calls('/images/generations').length;

    const first = await client.images.generate({ model: 'image-priced', prompt: 'a lighthouse', n: 2 }, options);
    const second = await client.images.generate({ model: 'image-priced', prompt: 'a lighthouse', n: 2 }, options);

    expect(second).toEqual(first);
    expect(upstream.calls('/images/generations').length - before).toBe(1);
    const ledger = await eventually(
      (): Promise<Array<{ cost: number }>> =>
        query(`SELECT cost_micros::int AS cost FROM ledger_entries WHERE key_id = $1`, [caller.id]),
      (rows) => rows.length > 0,
    );
    expect(ledger).toEqual([{ cost: 80_000 }]);
  });

  it('the openai SDK: a repeat with the same Idempotency-Key gets the same completion and no second call', async () => {
    const caller = await gateway.createKey();
    const client = new OpenAI({
      apiKey: caller.key,
      baseURL: `${gateway.baseUrl}/v1`,
      maxRetries: 0,
      fetch: wire.fetch,
    });
    const options = { headers: { 'Idempotency-Key': newIdempotencyKey() } };
    const before = chatCalls();

    const first = await client.chat.completions.create(chatBody('sdk') as never, options).withResponse();
    const second = await client.chat.completions.create(chatBody('sdk') as never, options).withResponse();

    expect(chatCalls() - before).toBe(1);
    expect(second.data).toEqual(first.data);
    expect(first.response.headers.get('idempotent-replayed')).toBeNull();
    expect(second.response.headers.get('idempotent-replayed')).toBe('true');
  });

  it('the same Idempotency-Key with another body: 422 idempotency_key_reused (OpenAI shape; Anthropic shape on /v1/messages)', async () => {
    const caller = await gateway.createKey();
    const idempotencyKey = newIdempotencyKey();
    expect((await send(gateway, caller.key, 'chat/completions', chatBody('one'), idempotencyKey)).status).toBe(200);
    const before = chatCalls();

    const reused = await send(gateway, caller.key, 'chat/completions', chatBody('two'), idempotencyKey);
    expect(reused.status).toBe(422);
    expect(JSON.parse(reused.text)).toMatchObject({
      error: { type: 'invalid_request_error', code: 'idempotency_key_reused', param: 'Idempotency-Key' },
    });
    expect(await metric('switchyard_idempotency_conflicts_total', { reason: 'body_mismatch' })).toBeGreaterThan(0);
    // Another endpoint is another request too.
    const elsewhere = await send(
      gateway,
      caller.key,
      'embeddings',
      { model: 'embed-priced', input: 'x' },
      idempotencyKey,
    );
    expect(elsewhere.status).toBe(422);
    expect(chatCalls()).toBe(before);

    const messagesKey = newIdempotencyKey();
    const message = (text: string) => ({
      model: 'gpt-priced',
      max_tokens: 50,
      messages: [{ role: 'user', content: text }],
    });
    expect((await send(gateway, caller.key, 'messages', message('one'), messagesKey)).status).toBe(200);
    const anthropic = await send(gateway, caller.key, 'messages', message('two'), messagesKey);
    expect(anthropic.status).toBe(422);
    expect(JSON.parse(anthropic.text)).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
  });

  it('another gateway key with the same Idempotency-Key is its own namespace: a separate call', async () => {
    const [first, second] = [await gateway.createKey(), await gateway.createKey()];
    const idempotencyKey = newIdempotencyKey();
    const before = chatCalls();

    const a = await send(gateway, first.key, 'chat/completions', chatBody('shared'), idempotencyKey);
    const b = await send(gateway, second.key, 'chat/completions', chatBody('shared'), idempotencyKey);

    const again = await send(gateway, first.key, 'chat/completions', chatBody('shared'), idempotencyKey);

    expect([a.status, b.status, again.status]).toEqual([200, 200, 200]);
    expect(b.headers.has('idempotent-replayed')).toBe(false);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(chatCalls() - before).toBe(2);
  });

  describe('two gateway instances on one database', () => {
    it('a repeat on the other instance waits for the first and replays it (polling the row): one call', async () => {
      const caller = await gateway.createKey();
      upstream.defaultReply = { headersDelayMs: 600 };
      const idempotencyKey = newIdempotencyKey();
      const before = chatCalls();

      const first = send(impatient, caller.key, 'chat/completions', chatBody('shared'), idempotencyKey);
      await eventually(
        async () => chatCalls(),
        (calls) => calls > before,
      );
      const repeat = await send(gateway, caller.key, 'chat/completions', chatBody('shared'), idempotencyKey);
      const original = await first;

      expect([original.status, repeat.status]).toEqual([200, 200]);
      expect(repeat.headers.get('idempotent-replayed')).toBe('true');
      expect(repeat.text).toBe(original.text);
      expect(chatCalls() - before).toBe(1);
    });

    it('past IDEMPOTENCY_WAIT_MS a repeat gets 409 idempotency_in_progress with retry-after; once answered, the replay', async () => {
      const caller = await gateway.createKey();
      upstream.defaultReply = { headersDelayMs: 1_500 };
      const idempotencyKey = newIdempotencyKey();
      const before = chatCalls();

      const first = send(gateway, caller.key, 'chat/completions', chatBody('slow'), idempotencyKey);
      await eventually(
        async () => chatCalls(),
        (calls) => calls > before,
      );
      const early = await send(impatient, caller.key, 'chat/completions', chatBody('slow'), idempotencyKey);
      expect(early.status).toBe(409);
      expect(early.headers.get('retry-after')).toBe('1');
      expect(JSON.parse(early.text)).toMatchObject({ error: { code: 'idempotency_in_progress' } });

      const original = await first;
      const late = await send(impatient, caller.key, 'chat/completions', chatBody('slow'), idempotencyKey);
      expect(late.status).toBe(200);
      expect(late.headers.get('idempotent-replayed')).toBe('true');
      expect(late.text).toBe(original.text);
      expect(chatCalls() - before).toBe(1);
    });
  });

  it('a completed stream is replayed as the same stream, which the openai SDK reads to the same content', async () => {
    const caller = await gateway.createKey();
    const idempotencyKey = newIdempotencyKey();
    const before = chatCalls();

    const first = await send(gateway, caller.key, 'chat/completions', chatBody('stream me', true), idempotencyKey);
    expect(first.status).toBe(200);
    expect(first.text).toMatch(/data: \[DONE\]\n\n$/);

    const client = new OpenAI({
      apiKey: caller.key,
      baseURL: `${gateway.baseUrl}/v1`,
      maxRetries: 0,
      fetch: wire.fetch,
    });
    const { data: stream, response } = await client.chat.completions
      .create(chatBody('stream me', true) as never, { headers: { 'Idempotency-Key': idempotencyKey } })
      .withResponse();
    let content = '';
    for await (const chunk of stream as unknown as AsyncIterable<OpenAI.ChatCompletionChunk>) {
      content += chunk.choices[0]?.delta?.content ?? '';
    }

    expect(response.headers.get('idempotent-replayed')).toBe('true');
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(content).toBe('Echo: stream me');
    const raw = await send(gateway, caller.key, 'chat/completions', chatBody('stream me', true), idempotencyKey);
    expect(raw.text).toBe(first.text);
    expect(chatCalls() - before).toBe(1);
  });

  it('a stream larger than IDEMPOTENCY_MAX_RESPONSE_BYTES is answered but not kept: a repeat gets 409 idempotency_replay_unavailable, not a second call', async () => {
    const caller = await gateway.createKey();
    const idempotencyKey = newIdempotencyKey();
    upstream.defaultReply = { text: 'long answer '.repeat(200) };
    const before = chatCalls();

    const first = await send(impatient, caller.key, 'chat/completions', chatBody('long', true), idempotencyKey);
    expect(first.status).toBe(200);
    expect(first.text).toMatch(/data: \[DONE\]\n\n$/);
    const repeat = await eventually(
      () => send(impatient, caller.key, 'chat/completions', chatBody('long', true), idempotencyKey),
      (answer) => answer.status !== 409 || !answer.text.includes('idempotency_in_progress'),
    );

    expect(repeat.status).toBe(409);
    expect(JSON.parse(repeat.text)).toMatchObject({ error: { code: 'idempotency_replay_unavailable' } });
    expect(chatCalls() - before).toBe(1);
  });

  it('a client that leaves while its claim is being taken: no model call, and the claim is released at once', async () => {
    const caller = await gateway.createKey();
    const idempotencyKey = newIdempotencyKey();
    const store = impatient.gateway.app.get(IdempotencyStore);
    const claim = store.claim.bind(store);
    const leaving = new AbortController();
    let clientGone!: () => void;
    const gone = new Promise<void>((resolve) => (clientGone = resolve));
    // The claim answers only once the client has hung up (and the gateway has seen it).
    jest.spyOn(store, 'claim').mockImplementationOnce(async (...args) => {
      leaving.abort();
      await gone;
      return claim(...args);
    });
    const before = chatCalls();

    const abandoned = fetch(`${impatient.baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${caller.key}`, 'idempotency-key': idempotencyKey },
      body: JSON.stringify(chatBody('gone')),
      signal: leaving.signal,
    }).catch((error: Error) => error.name);
    expect(await abandoned).toBe('AbortError');
    await new Promise((resolve) => setTimeout(resolve, 100));
    clientGone();

    const rows = await eventually(
      (): Promise<unknown[]> =>
        query(`SELECT 1 FROM idempotency_records WHERE key_id = $1 AND idempotency_key = $2`, [
          caller.id,
          idempotencyKey,
        ]),
      (found) => found.length === 0,
    );
    expect(rows).toEqual([]);
    expect(chatCalls()).toBe(before);
    const retried = await send(impatient, caller.key, 'chat/completions', chatBody('gone'), idempotencyKey);
    expect(retried.status).toBe(200);
    expect(retried.headers.has('idempotent-replayed')).toBe(false);
  });

  it('an upstream 5xx is not kept: the retry with the same key calls the upstream again, and its success is kept', async () => {
    const caller = await gateway.createKey();
    const idempotencyKey = newIdempotencyKey();
    const before = chatCalls();

    upstream.defaultReply = { status: 500 };
    const failed = await send(gateway, caller.key, 'chat/completions', chatBody('flaky'), idempotencyKey);
    expect(failed.status).toBe(502);
    upstream.defaultReply = {};
    const retried = await send(gateway, caller.key, 'chat/completions', chatBody('flaky'), idempotencyKey);
    const replayed = await send(gateway, caller.key, 'chat/completions', chatBody('flaky'), idempotencyKey);

    expect(retried.status).toBe(200);
    expect(retried.headers.has('idempotent-replayed')).toBe(false);
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    expect(chatCalls() - before).toBe(2);
  });

  it('a 4xx about the request is kept and replayed without calling anything', async () => {
    const caller = await gateway.createKey();
    const idempotencyKey = newIdempotencyKey();
    const unknown = { ...chatBody(), model: 'no-such-model' };

    const first = await send(gateway, caller.key, 'chat/completions', unknown, idempotencyKey);
    const repeat = await send(gateway, caller.key, 'chat/completions', unknown, idempotencyKey);

    expect([first.status, repeat.status]).toEqual([404, 404]);
    expect(repeat.text).toBe(first.text);
    expect(repeat.headers.get('idempotent-replayed')).toBe('true');
  });

  it('stored answers expire after IDEMPOTENCY_TTL_HOURS (the Clock moved 25 h): a repeat runs again, and the purge deletes them', async () => {
    const caller = await gateway.createKey();
    const idempotencyKey = newIdempotencyKey();
    const before = chatCalls();
    expect((await send(gateway, caller.key, 'chat/completions', chatBody('ttl'), idempotencyKey)).status).toBe(200);
    const stored = () =>
      query(`SELECT count(*)::int AS n FROM idempotency_records WHERE key_id = $1`, [caller.id]).then(
        (rows: Array<{ n: number }>) => rows[0].n,
      );
    expect(await stored()).toBe(1);
    const purge = gateway.gateway.app.get(IdempotencyPurge);
    expect(await purge.run()).toBe(0);

    const clock = gateway.gateway.app.get(Clock);
    jest.spyOn(clock, 'now').mockImplementation(() => new Date(Date.now() + DAY_AND_AN_HOUR_MS));
    const later = await send(gateway, caller.key, 'chat/completions', chatBody('ttl'), idempotencyKey);
    expect(later.status).toBe(200);
    expect(later.headers.has('idempotent-replayed')).toBe(false);
    expect(chatCalls() - before).toBe(2);

    // The second answer is stored afresh (once its response has closed); 25 h after it, the purge deletes it.
    await eventually(
      () => query(`SELECT state FROM idempotency_records WHERE key_id = $1`, [caller.id]),
      (rows: Array<{ state: string }>) => rows[0]?.state === 'completed',
    );
    jest.spyOn(clock, 'now').mockImplementation(() => new Date(Date.now() + 2 * DAY_AND_AN_HOUR_MS));
    expect(await purge.run()).toBeGreaterThanOrEqual(1);
    expect(await stored()).toBe(0);
  });

  it('the header value must be 1–255 printable ASCII characters, else 400 before any call', async () => {
    const caller = await gateway.createKey();
    const before = chatCalls();
    for (const bad of ['', 'x'.repeat(256), 'tab\there']) {
      const answer = await send(gateway, caller.key, 'chat/completions', chatBody(), bad);
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.text)).toMatchObject({ error: { param: 'Idempotency-Key' } });
    }
    expect(chatCalls()).toBe(before);
    expect((await send(gateway, caller.key, 'chat/completions', chatBody(), 'x'.repeat(255))).status).toBe(200);
  });

  it('with the database unreachable a request carrying the header gets 503 (never served without the guarantee); one without it is served', async () => {
    const caller = await proxied.createKey();
    // The key is verified once, so that the outage finds it in memory.
    expect((await send(proxied, caller.key, 'chat/completions', chatBody(), undefined)).status).toBe(200);
    const before = chatCalls();
    proxy.cut();
    try {
      const refused = await send(proxied, caller.key, 'chat/completions', chatBody(), newIdempotencyKey());
      expect(refused.status).toBe(503);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(JSON.parse(refused.text)).toMatchObject({ error: { code: 'service_unavailable' } });
      expect(chatCalls()).toBe(before);
      expect((await send(proxied, caller.key, 'chat/completions', chatBody(), undefined)).status).toBe(200);
    } finally {
      proxy.restore();
    }
    const back = await eventually(
      () => send(proxied, caller.key, 'chat/completions', chatBody(), newIdempotencyKey()),
      (answer) => answer.status === 200,
    );
    expect(back.status).toBe(200);
  });

  it('without the header nothing is stored', async () => {
    const caller = await gateway.createKey();
    expect((await send(gateway, caller.key, 'chat/completions', chatBody(), undefined)).status).toBe(200);
    const rows = await query(`SELECT count(*)::int AS n FROM idempotency_records WHERE key_id = $1`, [caller.id]);
    expect(rows[0].n).toBe(0);
  });
});

import OpenAI from 'openai';
import { setTimeout as sleep } from 'node:timers/promises';
import { RequestRecordWriter, requestRecordFrom } from '@app/audit';
import { FakeOpenAiServer } from '../fakes/fake-openai.server';
import { eventually } from '../utils/eventually';
import { wireCheck } from '../utils/openai-wire';
import { sampleValue } from '../utils/prometheus';
import { TcpProxy } from '../utils/tcp-proxy';
import { createTestDatabase, TestDatabase } from '../utils/test-database';
import { openAiCatalog, startTestGateway, TestGateway } from '../utils/test-gateway';

/** Postgres goes away while traffic flows: records wait in memory and are all written, once, when it is back. */
describe('evidence survives a database outage', () => {
  // Every body received is checked against OpenAI's published OpenAPI document.
  const wire = wireCheck();
  let fake: FakeOpenAiServer;
  let database: TestDatabase;
  let proxy: TcpProxy;
  let gateway: TestGateway;
  let caller: { key: string; id: string };
  let client: OpenAI;
  let sent = 0;

  beforeAll(async () => {
    fake = new FakeOpenAiServer('sk-provider');
    database = await createTestDatabase();
    const direct = new URL(database.url);
    proxy = new TcpProxy(direct.hostname, Number(direct.port || 5432));
    const proxied = new URL(database.url);
    proxied.port = String(await proxy.start());
    gateway = await startTestGateway({
      catalog: openAiCatalog(await fake.start(), 'sk-provider'),
      database: { url: proxied.toString(), drop: database.drop },
      env: { AUTH_CACHE_TTL_MS: '300000', EVIDENCE_FLUSH_INTERVAL_MS: '50' },
    });
    caller = await gateway.createKey();
    client = new OpenAI({ apiKey: caller.key, baseURL: `${gateway.baseUrl}/v1`, maxRetries: 0, fetch: wire.fetch });
  });

  afterAll(async () => {
    proxy?.restore();
    await gateway?.close();
    await proxy?.stop();
    await database?.drop();
    await fake?.stop();
  });

  const metrics = async () => (await fetch(`${gateway.baseUrl}/metrics`)).text();
  // Admin calls answer 503 until the gateway has seen the database back (it probes every second): none yet.
  const recordsOfCaller = async () => {
    const reply = await gateway.admin('GET', `/admin/requests?key_id=${caller.id}&limit=500`);
    return (reply.status === 200 ? reply.body.data : []) as any[];
  };
  const adminOnceAvailable = (path: string) =>
    eventually(
      () => gateway.admin('GET', path),
      (reply) => reply.status !== 503,
    );
  const messages = [{ role: 'user' as const, content: 'still there?' }];

  /** A chat completion, every other one streamed; resolves with the HTTP status the client saw. */
  async function request(): Promise<number> {
    const stream = sent++ % 2 === 1;
    if (!stream)
      return (await client.chat.completions.create({ model: 'gpt-test', messages }).withResponse()).response.status;
    const { data, response } = await client.chat.completions
      .create({ model: 'gpt-test', messages, stream: true })
      .withResponse();
    for await (const _chunk of data);
    return response.status;
  }

  it('keeps serving cached keys while Postgres is unreachable, holding the records in memory', async () => {
    expect(await request()).toBe(200); // the key is now cached
    proxy.cut();
    const statuses = await Promise.all(Array.from({ length: 20 }, request));
    expect(statuses).toEqual(Array(20).fill(200));
    const scraped = await eventually(
      metrics,
      (text) => sampleValue(text, 'switchyard_evidence_write_failures_total') > 0,
    );
    expect(sampleValue(scraped, 'switchyard_evidence_buffer_rows')).toBeGreaterThanOrEqual(20);
    const ready = await fetch(`${gateway.baseUrl}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as any).checks.database).toBe('unreachable');
  });

  it('writes each record exactly once after the connection flaps during writes and comes back', async () => {
    const flapping = (async () => {
      for (let i = 0; i < 4; i++) {
        proxy.restore();
        await sleep(120);
        proxy.cut();
        await sleep(80);
      }
      proxy.restore();
    })();
    const statuses = await Promise.all(Array.from({ length: 40 }, async (_, i) => (await sleep(i * 15), request())));
    await flapping;
    expect(statuses).toEqual(Array(40).fill(200));

    const records = await eventually(recordsOfCaller, (found) => found.length >= sent, 20_000);
    expect(records).toHaveLength(sent);
    expect(new Set(records.map((record) => record.request_id)).size).toBe(sent);
    expect(records.every((record) => record.status === 200 && record.key_id === caller.id)).toBe(true);
    expect(sampleValue(await metrics(), 'switchyard_evidence_dropped_rows_total')).toBe(0);
    expect(sampleValue(await metrics(), 'switchyard_evidence_buffer_rows')).toBe(0);
    expect((await gateway.admin('GET', `/admin/usage?group_by=key&key_id=${caller.id}`)).body.data[0].requests).toBe(
      sent,
    );
  });

  it('skips a batch written twice (its first write committed, its acknowledgement lost) and counts usage once', async () => {
    const records = await recordsOfCaller();
    const writer = gateway.gateway.app.get(RequestRecordWriter);
    const { written, duplicates } = writer.stats;
    for (const record of records.slice(0, 10)) writer.add(record);
    await writer.flush();
    expect(writer.stats).toMatchObject({ written, duplicates: duplicates + 10 });
    expect(await recordsOfCaller()).toHaveLength(sent);
    expect((await gateway.admin('GET', `/admin/usage?group_by=key&key_id=${caller.id}`)).body.data[0].requests).toBe(
      sent,
    );
  });

  it('drops (and counts) only a row the database refuses, so it cannot block the records behind it', async () => {
    const writer = gateway.gateway.app.get(RequestRecordWriter);
    const record = (requestId: string, status: number) =>
      requestRecordFrom({
        context: { requestId, receivedAt: Date.now(), costMicroUsd: null },
        method: 'GET',
        endpoint: '/v1/models',
        status,
        clientAborted: false,
        stream: false,
        endedAt: Date.now(),
        clientIp: '127.0.0.1',
        userAgent: null,
        endUser: null,
      });
    writer.add(record('before-refused', 200));
    writer.add(record('refused', 99_999)); // beyond smallint: the database refuses the row
    writer.add(record('after-refused', 200));
    await writer.flush();
    for (const requestId of ['before-refused', 'after-refused'])
      expect((await adminOnceAvailable(`/admin/requests/${requestId}`)).status).toBe(200);
    expect((await adminOnceAvailable('/admin/requests/refused')).status).toBe(404);
    expect(sampleValue(await metrics(), 'switchyard_evidence_dropped_rows_total')).toBe(1);
  });
});

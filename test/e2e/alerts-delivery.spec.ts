import { writeFileSync } from 'node:fs';
import type { ConfigType } from '@nestjs/config';
import { Client } from 'pg';
import { stringify } from 'yaml';
import { AlertsService } from '@app/alerts';
import { routingConfig } from '@app/routing';
import { FakeOpenAiServer } from '../fakes/fake-openai.server';
import { FakeWebhookReceiver, verifySignature } from '../fakes/webhook-receiver';
import { eventually } from '../utils/eventually';
import { sampleValue } from '../utils/prometheus';
import { startTestGateway, TestGateway } from '../utils/test-gateway';
import { createTestDatabase, TestDatabase } from '../utils/test-database';

const PROVIDER_KEY = 'sk-alerts-provider';
const SECRET = 'whsec-alerts-test-0123456789';
/** Short backoff: the receiver's outage spans several attempts in a second or two instead of minutes. */
const ENV = {
  ALERTS_DELIVERY_POLL_MS: '50',
  ALERTS_DELIVERY_BASE_DELAY_MS: '50',
  ALERTS_DELIVERY_MAX_DELAY_MS: '400',
  ALERTS_DELIVERY_FAILING_ATTEMPTS: '3',
  WEBHOOK_SECRET: SECRET,
};

describe('alerts: durable outbox and signed webhooks', () => {
  let upstream: FakeOpenAiServer;
  let upstreamUrl: string;
  let receiver: FakeWebhookReceiver;
  let database: TestDatabase;
  let gateway: TestGateway | undefined;

  const catalog = (webhooks: object[]) => ({
    providers: [{ id: 'openai', type: 'openai', base_url: `${upstreamUrl}/v1`, api_key: PROVIDER_KEY }],
    models: [{ name: 'gpt-test', deployments: [{ provider: 'openai', model: 'gpt-test' }] }],
    alerts: { webhooks },
  });
  const start = async (webhooks: object[] = [{ url: receiver.url, secret: '${WEBHOOK_SECRET}' }]) =>
    (gateway = await startTestGateway({ catalog: catalog(webhooks), env: ENV, database }));
  const raise = (g: TestGateway, n: number, kind: 'new_ip' | 'new_model' = 'new_ip') =>
    g.gateway.app.get(AlertsService).raise({
      kind,
      subject: { type: 'key', id: `0d0c0b0a-0000-4000-8000-${String(n).padStart(12, '0')}` },
      details: { ip: `192.0.2.${n}` },
      dedupe_key: `test:${kind}:${n}`,
    });
  /** Reads the database directly: the outbox is the truth, also while no gateway runs. */
  const query = async <T>(sql: string): Promise<T[]> => {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      return (await client.query(sql)).rows as T[];
    } finally {
      await client.end();
    }
  };
  const outbox = () =>
    query<{ attempts: number; delivered_at: Date | null; last_error: string | null }>(
      `SELECT attempts, delivered_at, last_error FROM alert_deliveries ORDER BY alert_id`,
    );

  beforeAll(async () => {
    upstream = new FakeOpenAiServer(PROVIDER_KEY);
    upstreamUrl = await upstream.start();
    receiver = new FakeWebhookReceiver(SECRET);
    await receiver.up();
  });

  beforeEach(async () => {
    database = await createTestDatabase();
  });

  afterEach(async () => {
    await gateway?.close();
    gateway = undefined;
    await database.drop();
  });

  afterAll(async () => {
    await receiver.down();
    await upstream.stop();
  });

  it('delivers each alert once, signed, with the documented body; the same dedupe_key raised again is one alert', async () => {
    const g = await start();
    expect(await raise(g, 1)).toBe('raised');
    expect(await raise(g, 1)).toBe('duplicate');
    const before = receiver.alerts.length;
    await eventually(
      () => receiver.alerts.length,
      (n) => n === before + 1,
    );
    const alert = receiver.alerts.at(-1)!;
    expect(Object.keys(alert).sort()).toEqual(['created_at', 'details', 'id', 'kind', 'subject']);
    expect(alert).toMatchObject({ kind: 'new_ip', subject: { type: 'key' }, details: { ip: '192.0.2.1' } });
    const delivery = receiver.deliveries.find((d) => d.id === alert.id)!;
    expect(delivery.verified).toBe(true);
    expect(delivery.headers['x-switchyard-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    // The same signature does not verify a body changed by one byte, nor with another secret.
    const header = delivery.headers['x-switchyard-signature'] as string;
    expect(verifySignature(header, delivery.raw, SECRET)).toBe(true);
    expect(verifySignature(header, delivery.raw.replace('192.0.2.1', '192.0.2.9'), SECRET)).toBe(false);
    expect(verifySignature(header, delivery.raw, `${SECRET}x`)).toBe(false);
    expect((await outbox())[0]).toMatchObject({ attempts: 1, last_error: null, delivered_at: expect.any(Date) });
  });

  it('a receiver with another secret refuses every delivery: it stays pending, retried, and shows as failing', async () => {
    const g = await start([{ url: receiver.url, secret: 'a-different-secret-0123456789' }]);
    await raise(g, 2);
    const rows = await eventually(outbox, (r) => r[0]?.attempts >= 3);
    expect(rows[0]).toMatchObject({ delivered_at: null, last_error: 'HTTP 401' });
    expect(receiver.deliveries.filter((d) => !d.verified).length).toBeGreaterThanOrEqual(3);
    const metrics = await (await fetch(`${g.baseUrl}/metrics`)).text();
    expect(sampleValue(metrics, 'switchyard_alert_deliveries_pending')).toBe(1);
    expect(sampleValue(metrics, 'switchyard_alert_deliveries_failing')).toBe(1);
    expect(sampleValue(metrics, 'switchyard_alert_deliveries_total', { outcome: 'failed' })).toBeGreaterThanOrEqual(3);
  });

  it('receiver down, gateway restarted in between: every alert is delivered once it is back, none lost', async () => {
    await receiver.down();
    let g = await start();
    for (let n = 10; n < 30; n++) expect(await raise(g, n, n % 2 ? 'new_ip' : 'new_model')).toBe('raised');
    // Several failed attempts while the receiver is down, then the instance goes away.
    await eventually(outbox, (rows) => rows.length === 20 && rows.every((row) => row.attempts >= 3));
    expect((await outbox()).every((row) => row.delivered_at === null && row.last_error === 'ECONNREFUSED')).toBe(true);
    await g.close();

    // A new instance on the same database; the receiver comes back while it runs.
    g = await start();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await receiver.up();
    const ids = await query<{ id: string }>(`SELECT id FROM alerts`);
    await eventually(
      () => ids.filter(({ id }) => receiver.alerts.some((alert) => alert.id === id)).length,
      (delivered) => delivered === 20,
    );
    const rows = await eventually(outbox, (r) => r.every((row) => row.delivered_at !== null));
    expect(rows.filter((row) => row.delivered_at === null)).toEqual([]);
    expect(ids.filter(({ id }) => receiver.alerts.some((alert) => alert.id === id))).toHaveLength(20);
  });

  it('two instances polling one outbox send each alert once', async () => {
    const first = await start();
    const second = await startTestGateway({
      catalog: catalog([{ url: receiver.url, secret: '${WEBHOOK_SECRET}' }]),
      env: ENV,
      database,
    });
    try {
      const posts = receiver.deliveries.length;
      await Promise.all(Array.from({ length: 60 }, (_, i) => raise(i % 2 ? second : first, 100 + i)));
      const rows = await eventually(outbox, (r) => r.length === 60 && r.every((row) => row.delivered_at !== null));
      expect(rows.every((row) => row.attempts === 1)).toBe(true);
      const sent = receiver.deliveries.slice(posts);
      expect(sent).toHaveLength(60);
      expect(new Set(sent.map((delivery) => delivery.id)).size).toBe(60);
    } finally {
      await second.close();
    }
  });

  it('a catalog reload switches the webhooks: new alerts go to the one configured now', async () => {
    const other = new FakeWebhookReceiver('whsec-second-receiver-0123456789');
    await other.up();
    try {
      const g = await start();
      const file = g.gateway.app.get<ConfigType<typeof routingConfig>>(routingConfig.KEY).configPath;
      writeFileSync(file, stringify(catalog([{ url: other.url, secret: 'whsec-second-receiver-0123456789' }])));
      expect((await g.admin('POST', '/admin/config/reload')).body).toMatchObject({ accepted: true });
      await raise(g, 50);
      await eventually(
        () => other.alerts.length,
        (n) => n === 1,
      );
      expect(other.alerts[0].details).toEqual({ ip: '192.0.2.50' });
      expect(other.deliveries.every((delivery) => delivery.verified)).toBe(true);
      expect(receiver.deliveries.some((delivery) => delivery.raw.includes('192.0.2.50'))).toBe(false);
    } finally {
      await other.down();
    }
  });

  it('a webhook removed from the config is no longer attempted', async () => {
    await receiver.down();
    let g = await start();
    await raise(g, 40);
    await eventually(outbox, (rows) => rows[0]?.attempts >= 1);
    await g.close();
    await receiver.up();
    g = await start([]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await outbox())[0].delivered_at).toBeNull();
    expect(receiver.deliveries.some((d) => d.raw.includes('192.0.2.40'))).toBe(false);
  });
});

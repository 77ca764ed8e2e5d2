import { Client } from 'pg';
import { Clock } from '@app/common';
import { FakeOpenAiServer } from '../fakes/fake-openai.server';
import { FakeWebhookReceiver } from '../fakes/webhook-receiver';
import { eventually } from '../utils/eventually';
import { wireCheck } from '../utils/openai-wire';
import { sampleValue } from '../utils/prometheus';
import { startTestGateway, TestGateway } from '../utils/test-gateway';

const PROVIDER_KEY = 'sk-alerts-budget-provider';
const SECRET = 'whsec-budget-alerts-0123456789';
/** 100 output tokens at $100 per million: exactly one cent per request, reserved and charged. */
const PRICING = { input_per_mtok: 0, output_per_mtok: 100 };
const USAGE = { prompt_tokens: 5, completion_tokens: 100, total_tokens: 105 };
const CENT = 0.01;

interface AlertRow {
  id: string;
  subject_type: string;
  subject_id: string;
  team_id: string | null;
  details: { threshold_percent: number; period_start: string; level: string; spent_usd: number; limit_usd: number };
}

describe('alerts: budget thresholds', () => {
  // Every body received is checked against OpenAI's published OpenAPI document.
  const wire = wireCheck();
  let upstream: FakeOpenAiServer;
  let receiver: FakeWebhookReceiver;
  let a: TestGateway;
  let b: TestGateway;

  beforeAll(async () => {
    upstream = new FakeOpenAiServer(PROVIDER_KEY);
    upstream.defaultReply = { usage: USAGE };
    const upstreamUrl = await upstream.start();
    receiver = new FakeWebhookReceiver(SECRET);
    await receiver.up();
    const catalog = {
      providers: [{ id: 'openai', type: 'openai', base_url: `${upstreamUrl}/v1`, api_key: PROVIDER_KEY }],
      models: [{ name: 'gpt-test', pricing: PRICING, deployments: [{ provider: 'openai', model: 'gpt-test' }] }],
      alerts: { webhooks: [{ url: receiver.url, secret: SECRET }] },
    };
    const env = {
      QUOTA_FLUSH_INTERVAL_MS: '100',
      ALERTS_DELIVERY_POLL_MS: '50',
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    };
    // Two separate gateway instances on one database: both settle the same budget.
    a = await startTestGateway({ catalog, env });
    b = await startTestGateway({ catalog, env, database: a.database });
  });

  afterAll(async () => {
    await b?.close();
    await a?.close();
    await receiver?.down();
    await upstream?.stop();
  });

  const chat = (gateway: TestGateway, key: string) =>
    wire.fetch(`${gateway.baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }], max_tokens: 100 }),
    });
  /** `count` requests at once, alternating between the instances; all must be admitted. */
  const burst = async (key: string, count: number) => {
    const statuses = await Promise.all(
      Array.from({ length: count }, (_, i) => chat(i % 2 ? b : a, key).then((r) => r.status)),
    );
    expect(statuses).toEqual(Array(count).fill(200));
  };
  const alertsOf = async (subjectId: string): Promise<AlertRow[]> => {
    const client = new Client({ connectionString: a.database.url });
    await client.connect();
    try {
      return (
        await client.query(
          `SELECT id, subject_type, subject_id, team_id, details FROM alerts
            WHERE kind = 'budget_threshold' AND subject_id = $1 ORDER BY created_at, id`,
          [subjectId],
        )
      ).rows as AlertRow[];
    } finally {
      await client.end();
    }
  };
  const spent = async (path: string) =>
    (
      await eventually(
        async () => (await a.admin('GET', `${path}/balance`)).body,
        (body) => body.reserved_usd === 0,
      )
    ).spent_usd as number;
  /** Waits until both instances have flushed what they settled, and a little more for their alerts. */
  const settle = async (path: string, expectedUsd: number) => {
    await eventually(
      () => spent(path),
      (usd) => Math.abs(usd - expectedUsd) < 1e-9,
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
  };

  it('fires exactly one alert at 50 %, one at 80 % and one at 100 %, with both instances settling concurrently', async () => {
    const { key, projectId, teamId } = await a.createKey();
    const path = `/admin/projects/${projectId}`;
    expect((await a.admin('PUT', `${path}/budget`, { limit_usd: 10 * CENT, period: 'monthly' })).status).toBe(200);

    await burst(key, 4);
    await settle(path, 4 * CENT);
    expect(await alertsOf(projectId)).toEqual([]);

    await burst(key, 2); // 60 %
    await settle(path, 6 * CENT);
    let alerts = await alertsOf(projectId);
    expect(alerts.map((alert) => alert.details.threshold_percent)).toEqual([50]);
    expect(alerts[0]).toMatchObject({
      subject_type: 'project',
      subject_id: projectId,
      team_id: teamId,
      details: { level: 'project', limit_usd: 0.1, spent_usd: expect.any(Number), threshold_percent: 50 },
    });

    await burst(key, 3); // 90 %
    await settle(path, 9 * CENT);
    await burst(key, 1); // 100 %
    await settle(path, 10 * CENT);
    alerts = await alertsOf(projectId);
    expect(alerts.map((alert) => alert.details.threshold_percent)).toEqual([50, 80, 100]);

    // Each delivered once, to the receiver, signed.
    const received = await eventually(
      () => receiver.alerts.filter((alert) => alert.subject.id === projectId),
      (list) => list.length === 3,
    );
    expect(received.map((alert) => alert.id).sort()).toEqual(alerts.map((alert) => alert.id).sort());
    expect(received.every((alert) => alert.kind === 'budget_threshold')).toBe(true);
    const metricsA = await (await fetch(`${a.baseUrl}/metrics`)).text();
    const metricsB = await (await fetch(`${b.baseUrl}/metrics`)).text();
    const kind = { kind: 'budget_threshold' };
    expect(
      sampleValue(metricsA, 'switchyard_alerts_total', kind) + sampleValue(metricsB, 'switchyard_alerts_total', kind),
    ).toBe(3);
  });

  it('fires again in a new period: a daily key budget at 50 % yesterday and at 50 % today are two alerts', async () => {
    const { key, id } = await a.createKey();
    const path = `/admin/keys/${id}`;
    const today = new Date();
    const yesterday = new Date(today.getTime() - 86_400_000);
    const clocks = [a, b].map((gateway) =>
      jest.spyOn(gateway.gateway.app.get(Clock), 'now').mockReturnValue(yesterday),
    );
    try {
      expect((await a.admin('PUT', `${path}/budget`, { limit_usd: 10 * CENT, period: 'daily' })).status).toBe(200);
      await burst(key, 5);
      await settle(path, 5 * CENT);
      expect((await alertsOf(id)).map((alert) => alert.details.threshold_percent)).toEqual([50]);

      for (const clock of clocks) clock.mockReturnValue(today);
      await burst(key, 5);
      await settle(path, 5 * CENT);
      const alerts = await alertsOf(id);
      expect(alerts.map((alert) => [alert.details.threshold_percent, alert.details.period_start])).toEqual([
        [
          50,
          new Date(Date.UTC(yesterday.getUTCFullYear(), yesterday.getUTCMonth(), yesterday.getUTCDate())).toISOString(),
        ],
        [50, new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate())).toISOString()],
      ]);
      expect(alerts.every((alert) => alert.subject_type === 'key' && alert.details.level === 'key')).toBe(true);
    } finally {
      for (const clock of clocks) clock.mockRestore();
    }
  });
});

import { AlertsService, NewAlert } from '@app/alerts';
import { FakeOpenAiServer } from '../fakes/fake-openai.server';
import { FakeWebhookReceiver } from '../fakes/webhook-receiver';
import { eventually } from '../utils/eventually';
import { openAiCatalog, startTestGateway, TEST_ADMIN_KEY, TestGateway } from '../utils/test-gateway';

const SECRET = 'whsec-admin-alerts-0123456789';

/**
 * GET /admin/alerts and POST /admin/alerts/{id}/ack: filters, the delivery state, acknowledgement (audited,
 * once), team scoping (a team admin sees and acknowledges its teams' alerts only), an auditor reads but
 * never acknowledges, and no webhook URL or secret in any answer.
 */
describe('alerts: admin API', () => {
  let fake: FakeOpenAiServer;
  let receiver: FakeWebhookReceiver;
  let gateway: TestGateway;
  let a: { id: string; projectId: string; teamId: string };
  let b: { id: string; projectId: string; teamId: string };
  let teamAdminToken: string;
  let auditorToken: string;
  const ids: Record<string, string> = {};

  const call = async (token: string, method: string, path: string) => {
    const response = await fetch(gateway.baseUrl + path, { method, headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, body: (await response.json()) as any };
  };
  const list = async (token: string, query = '') => (await call(token, 'GET', `/admin/alerts${query}`)).body.data;

  beforeAll(async () => {
    fake = new FakeOpenAiServer('sk-provider');
    receiver = new FakeWebhookReceiver(SECRET);
    await receiver.up();
    gateway = await startTestGateway({
      catalog: {
        ...openAiCatalog(await fake.start(), 'sk-provider'),
        alerts: { webhooks: [{ url: receiver.url, secret: SECRET }] },
      },
      env: { ALERTS_DELIVERY_POLL_MS: '50' },
    });
    a = await gateway.createKey();
    b = await gateway.createKey();
    teamAdminToken = (
      await gateway.admin('POST', '/admin/tokens', { name: 'lead', role: 'team_admin', team_ids: [a.teamId] })
    ).body.token;
    auditorToken = (await gateway.admin('POST', '/admin/tokens', { name: 'audit', role: 'auditor' })).body.token;
    const alerts = gateway.gateway.app.get(AlertsService);
    const raise = async (name: string, alert: NewAlert) => {
      expect(await alerts.raise(alert)).toBe('raised');
      ids[name] = (await list(TEST_ADMIN_KEY, `?subject_id=${alert.subject.id}&kind=${alert.kind}`))[0].id;
    };
    await raise('keyOfA', {
      kind: 'new_ip',
      subject: { type: 'key', id: a.id },
      details: { ip: '198.51.100.7', key: 'sy-…abcd' },
      dedupe_key: `new_ip:${a.id}:198.51.100.7`,
    });
    await raise('projectOfA', {
      kind: 'budget_threshold',
      subject: { type: 'project', id: a.projectId },
      details: { level: 'project', threshold_percent: 80, limit_usd: 10, spent_usd: 8.2 },
      dedupe_key: `budget:${a.projectId}:80`,
    });
    await raise('teamOfB', {
      kind: 'spend_anomaly',
      subject: { type: 'team', id: b.teamId },
      details: { window_s: 300, observed_usd: 12, baseline_usd: 0.5 },
      dedupe_key: `anomaly:${b.teamId}:1`,
    });
  });

  afterAll(async () => {
    await gateway?.close();
    await fake?.stop();
    await receiver?.down();
  });

  it('lists alerts newest first with the webhook body fields, the delivery state and no webhook URL or secret', async () => {
    const all = await eventually(
      () => list(TEST_ADMIN_KEY),
      (data) => data.every((alert: any) => alert.delivered_at !== null),
    );
    expect(all.map((alert: any) => alert.id)).toEqual([ids.teamOfB, ids.projectOfA, ids.keyOfA]);
    expect(all[2]).toMatchObject({
      id: ids.keyOfA,
      kind: 'new_ip',
      subject: { type: 'key', id: a.id },
      details: { ip: '198.51.100.7' },
      delivered_at: expect.any(String),
      acknowledged_at: null,
      delivery_failing: false,
      deliveries: [{ webhook_id: expect.stringMatching(/^[0-9a-f]{16}$/), attempts: 1, last_error: null }],
    });
    expect(Date.parse(all[2].created_at)).not.toBeNaN();
    const text = JSON.stringify(all);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(receiver.url);
  });

  it('filters by kind, subject, time and acknowledgement; validates the query strictly', async () => {
    const idsOf = async (query: string) => (await list(TEST_ADMIN_KEY, query)).map((alert: any) => alert.id);
    expect(await idsOf('?kind=budget_threshold')).toEqual([ids.projectOfA]);
    expect(await idsOf(`?subject_id=${b.teamId}`)).toEqual([ids.teamOfB]);
    expect(await idsOf(`?since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).toEqual([]);
    expect(await idsOf('?limit=1')).toEqual([ids.teamOfB]);
    expect((await idsOf('?acknowledged=false')).length).toBe(3);
    const invalid = await call(TEST_ADMIN_KEY, 'GET', '/admin/alerts?kind=coffee');
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.param).toBe('kind');
    expect((await call(TEST_ADMIN_KEY, 'GET', '/admin/alerts?colour=red')).status).toBe(400);
  });

  it("shows a team admin its teams' alerts only, and lets it acknowledge only those", async () => {
    expect((await list(teamAdminToken)).map((alert: any) => alert.id).sort()).toEqual(
      [ids.keyOfA, ids.projectOfA].sort(),
    );
    expect(await list(teamAdminToken, `?subject_id=${b.teamId}`)).toEqual([]);
    const other = await call(teamAdminToken, 'POST', `/admin/alerts/${ids.teamOfB}/ack`);
    expect(other.status).toBe(404);
    expect(
      (await call(TEST_ADMIN_KEY, 'POST', `/admin/alerts/${'0'.repeat(8)}-0000-4000-8000-000000000000/ack`)).status,
    ).toBe(404);
    expect((await list(TEST_ADMIN_KEY, '?acknowledged=true')).length).toBe(0);
  });

  it('acknowledges once, audited with the admin who did it; an auditor gets 403', async () => {
    const refused = await call(auditorToken, 'POST', `/admin/alerts/${ids.projectOfA}/ack`);
    expect(refused.status).toBe(403);
    expect((await list(auditorToken)).length).toBe(3);

    const acked = await call(teamAdminToken, 'POST', `/admin/alerts/${ids.projectOfA}/ack`);
    expect(acked.status).toBe(200);
    expect(acked.body).toMatchObject({ id: ids.projectOfA, acknowledged_at: expect.any(String) });
    const again = await call(TEST_ADMIN_KEY, 'POST', `/admin/alerts/${ids.projectOfA}/ack`);
    expect(again.body).toEqual(acked.body);
    expect((await list(TEST_ADMIN_KEY, '?acknowledged=true')).map((alert: any) => alert.id)).toEqual([ids.projectOfA]);

    const events = (
      await gateway.admin('GET', `/admin/audit-events?action=alert.acknowledge&target_id=${ids.projectOfA}`)
    ).body.data;
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      actor: acked.body.acknowledged_by,
      actor_role: 'team_admin',
      target_type: 'alert',
      after: { acknowledged_at: acked.body.acknowledged_at },
    });
  });

  it('two admins acknowledging at once: one acknowledgement, one audit event, and both see the first', async () => {
    const alerts = gateway.gateway.app.get(AlertsService);
    const raced: string[] = [];
    for (let n = 0; n < 5; n++) {
      const alert: NewAlert = {
        kind: 'new_model',
        subject: { type: 'key', id: b.id },
        details: { model: `race-${n}` },
        dedupe_key: `new_model:${b.id}:race-${n}`,
      };
      expect(await alerts.raise(alert)).toBe('raised');
      raced.push((await list(TEST_ADMIN_KEY, `?subject_id=${b.id}&kind=new_model`))[0].id);
    }
    for (const id of raced) {
      const answers = await Promise.all(
        [TEST_ADMIN_KEY, TEST_ADMIN_KEY, TEST_ADMIN_KEY].map((token) => call(token, 'POST', `/admin/alerts/${id}/ack`)),
      );
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
      expect(new Set(answers.map((answer) => answer.body.acknowledged_at)).size).toBe(1);
      const events = (await gateway.admin('GET', `/admin/audit-events?action=alert.acknowledge&target_id=${id}`)).body
        .data;
      expect(events).toHaveLength(1);
    }
  });
});

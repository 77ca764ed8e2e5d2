import Anthropic from '@anthropic-ai/sdk';
import { setTimeout as sleep } from 'node:timers/promises';
import OpenAI from 'openai';
import { DataSource } from 'typeorm';
import { Clock } from '@app/common';
import { AnomalyDetectors } from '../../apps/gateway/src/alerts/detectors/anomaly-detectors';
import { FakeOpenAiServer } from '../fakes/fake-openai.server';
import { runCliInProcess } from '../utils/cli';
import { wireCheck } from '../utils/openai-wire';
import { openAiCatalog, startTestGateway, TEST_ADMIN_KEY, TestGateway } from '../utils/test-gateway';

/**
 * Anomaly detection end to end: requests through the gateway feed the detectors, the Clock is moved to lay
 * down a key's history (one-minute windows), and `checkNow` stands for the timer's next turn.
 */
describe('anomaly detection and on_anomaly: suspend', () => {
  // Every body received (403 key_suspended included) is checked against OpenAI's published OpenAPI document.
  const wire = wireCheck();
  const WINDOW_MS = 60_000;
  let fake: FakeOpenAiServer;
  let gateway: TestGateway;
  let db: DataSource;
  let detectors: AnomalyDetectors;
  let catalogWithAlerts: object;
  /** The gateway's time: the middle of a minute, moved back and forth by the tests. */
  let now = Math.floor(Date.now() / WINDOW_MS) * WINDOW_MS + 30_000;

  beforeAll(async () => {
    fake = new FakeOpenAiServer('sk-provider');
    const catalog = openAiCatalog(await fake.start(), 'sk-provider', [
      {
        name: 'gpt-test',
        pricing: { input_per_mtok: 1000, output_per_mtok: 1000 },
        deployments: [{ provider: 'openai', model: 'gpt-test' }],
      },
      {
        name: 'gpt-other',
        aliases: ['gpt-other-latest'],
        pricing: { input_per_mtok: 1000, output_per_mtok: 1000 },
        deployments: [{ provider: 'openai', model: 'gpt-other' }],
      },
    ]);
    catalogWithAlerts = {
      ...catalog,
      alerts: {
        anomaly: {
          window_s: 60,
          factor: 10,
          min_requests: 5,
          min_spend_usd: 0.01,
          baseline_days: 1,
          auth_failures: { window_s: 60, threshold: 20 },
        },
      },
    };
    gateway = await startTestGateway({
      catalog: catalogWithAlerts,
      // X-Forwarded-For from the test's loopback connection is believed, to play a second address.
      env: { TRUST_PROXY: 'loopback' },
    });
    db = gateway.gateway.app.get(DataSource);
    detectors = gateway.gateway.app.get(AnomalyDetectors);
    jest.spyOn(gateway.gateway.app.get(Clock), 'now').mockImplementation(() => new Date(now));
  });

  afterAll(async () => {
    await gateway?.close();
    await fake?.stop();
  });

  const chat = (key: string, model = 'gpt-test', headers: Record<string, string> = {}, baseUrl = gateway.baseUrl) =>
    wire.fetch(`${baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...headers },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
    });

  /** Requests counted by the detectors so far for a key, once their tallies are written. */
  const tallied = async (keyId: string): Promise<number> => {
    const [row] = await db.query(
      `SELECT coalesce(sum(requests), 0)::int AS n FROM key_usage_buckets WHERE key_id = $1`,
      [keyId],
    );
    return row.n;
  };

  /** Waits until `check` holds, letting the detectors write their tallies (records arrive after the response). */
  async function until(check: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      await detectors.checkNow();
      if (await check()) return;
      if (Date.now() > deadline) throw new Error('the detectors never saw the requests');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /** `count` requests with the key at `at`, all of them seen by the detectors before the clock moves on. */
  async function traffic(key: { key: string; id: string }, at: number, count: number): Promise<void> {
    now = at;
    const before = await tallied(key.id);
    const answers = await Promise.all(Array.from({ length: count }, () => chat(key.key)));
    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200));
    await until(async () => (await tallied(key.id)) >= before + count);
  }

  /** The same number of requests in each of the `windows` minutes before `end`. */
  async function history(key: { key: string; id: string }, end: number, windows: number, perWindow: number) {
    for (let i = windows; i >= 1; i--) await traffic(key, end - i * WINDOW_MS, perWindow);
  }

  /** The `switchyard` CLI against this gateway, answering JSON. */
  const cli = async (...args: string[]) => {
    const result = await runCliInProcess([...args, '--json'], {
      SWITCHYARD_URL: gateway.baseUrl,
      SWITCHYARD_ADMIN_KEY: TEST_ADMIN_KEY,
    });
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
    return JSON.parse(result.stdout);
  };

  const alertsOf = async (kind: string, subjectId: string) =>
    db.query(`SELECT * FROM alerts WHERE kind = $1 AND subject_id = $2`, [kind, subjectId]);

  it('alerts once, within the window, when a key’s spend rate jumps 20× its baseline', async () => {
    const key = await gateway.createKey();
    const start = now;
    await history(key, start, 6, 2);
    expect(await alertsOf('spend_anomaly', key.id)).toEqual([]);

    await traffic(key, start, 40);
    await detectors.checkNow();
    // Still within the window: more requests and more checks add nothing.
    await traffic(key, start + 10_000, 5);
    await detectors.checkNow();

    const alerts = await alertsOf('spend_anomaly', key.id);
    expect(alerts).toHaveLength(1);
    expect(alerts[0].subject_type).toBe('key');
    expect(alerts[0].details).toMatchObject({
      window_s: 60,
      factor: 10,
      exceeded: ['spend', 'requests'],
      observed: { requests: 40 },
      baseline: { requests: 2, windows: 6, days: 1 },
      top_models: [{ model: 'gpt-test', requests: 40 }],
      on_anomaly: 'none',
      masked_key: `${key.key.slice(0, 12)}…${key.key.slice(-4)}`,
    });
    expect(alerts[0].details.observed.spend_usd).toBeCloseTo(alerts[0].details.baseline.spend_usd * 20, 6);
    // The project (this key alone) rose as much: its own alert. The key was not suspended (on_anomaly: none).
    expect(await alertsOf('spend_anomaly', key.projectId)).toHaveLength(1);
    expect((await chat(key.key)).status).toBe(200);
    expect(JSON.stringify(alerts)).not.toContain(key.key);
  });

  it('stays quiet on steady traffic and on a new key’s first requests', async () => {
    const steady = await gateway.createKey();
    const start = now + 5 * WINDOW_MS;
    await history(steady, start, 5, 6);
    await traffic(steady, start, 6);
    const fresh = await gateway.createKey();
    await traffic(fresh, start, 30);
    await detectors.checkNow();

    for (const subject of [steady.id, steady.projectId, fresh.id, fresh.projectId]) {
      expect(await db.query(`SELECT kind FROM alerts WHERE subject_id = $1`, [subject])).toEqual([]);
    }
  });

  it('suspends the key under on_anomaly: suspend (403 key_suspended in both API shapes) until an admin resumes it', async () => {
    const key = await gateway.createKey();
    const update = await gateway.admin('PATCH', `/admin/projects/${key.projectId}`, { on_anomaly: 'suspend' });
    expect(update).toMatchObject({ status: 200, body: { on_anomaly: 'suspend', suspended_at: null } });
    const start = now + 10 * WINDOW_MS;
    await history(key, start, 3, 2);
    // Cached as active on this instance: the suspension must reach the cache, not wait for its TTL.
    expect((await chat(key.key)).status).toBe(200);
    await traffic(key, start, 40);
    await detectors.checkNow();

    const [alert] = await alertsOf('spend_anomaly', key.id);
    expect(alert.details).toMatchObject({ on_anomaly: 'suspend', suspended_keys: [{ id: key.id }] });

    const openai = new OpenAI({ apiKey: key.key, baseURL: `${gateway.baseUrl}/v1`, maxRetries: 0, fetch: wire.fetch });
    const refused = await openai.chat.completions
      .create({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OpenAI.PermissionDeniedError);
    const openAiError = refused as InstanceType<typeof OpenAI.PermissionDeniedError>;
    expect(openAiError.status).toBe(403);
    expect(openAiError.code).toBe('key_suspended');
    expect(openAiError.message).toContain("suspended by Switchyard's anomaly detection at ");
    expect(openAiError.message).toContain(`An admin can resume it with POST /admin/keys/${key.id}/resume.`);

    const anthropic = new Anthropic({ apiKey: key.key, baseURL: gateway.baseUrl, maxRetries: 0 });
    const refusedMessages = await anthropic.messages
      .create({ model: 'gpt-test', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] })
      .catch((error: unknown) => error);
    expect(refusedMessages).toBeInstanceOf(Anthropic.PermissionDeniedError);
    const anthropicError = refusedMessages as InstanceType<typeof Anthropic.PermissionDeniedError>;
    expect(anthropicError.status).toBe(403);
    expect(anthropicError.error).toMatchObject({
      type: 'error',
      error: { type: 'permission_error', message: expect.stringContaining('/resume') },
    });

    const listed = await gateway.admin('GET', `/admin/keys?project_id=${key.projectId}`);
    expect(listed.body.data[0]).toMatchObject({ suspended_by: 'system:anomaly-detection', resumed_at: null });
    const suspendedEvents = await db.query(
      `SELECT actor FROM audit_events WHERE action = 'key.suspend' AND target_id = $1`,
      [key.id],
    );
    expect(suspendedEvents).toEqual([{ actor: 'system:anomaly-detection' }]);

    expect(await cli('keys', 'resume', key.id)).toMatchObject({
      id: key.id,
      suspended_at: null,
      suspended_reason: null,
      resumed_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    const resumeEvents = await db.query(
      `SELECT actor, before, after FROM audit_events WHERE action = 'key.resume' AND target_id = $1`,
      [key.id],
    );
    expect(resumeEvents).toHaveLength(1);
    expect(resumeEvents[0].actor).not.toMatch(/^system:/);
    expect(resumeEvents[0].before.suspended_by).toBe('system:anomaly-detection');
    expect(resumeEvents[0].after.suspended_at).toBeNull();

    // Works again, and the window the admin has seen does not suspend it a second time.
    expect((await chat(key.key)).status).toBe(200);
    await detectors.checkNow();
    expect((await chat(key.key)).status).toBe(200);
  });

  it('suspends the project when it rose as a whole but none of its keys did on its own, until it is resumed', async () => {
    const first = await gateway.createKey();
    const issued = await gateway.admin('POST', '/admin/keys', {
      project_id: first.projectId,
      name: 'second',
      environment: 'test',
    });
    const second = { key: issued.body.key as string, id: issued.body.id as string };
    expect(await cli('projects', 'update', first.projectId, '--on-anomaly', 'suspend')).toMatchObject({
      on_anomaly: 'suspend',
    });
    // Taking turns: the project is busy every minute with 4 requests, each key every other minute.
    const start = now + 20 * WINDOW_MS;
    for (let i = 6; i >= 1; i--) await traffic(i % 2 ? first : second, start - i * WINDOW_MS, 4);
    // Both at once, 30 each: under 10 × 4 for either key, 60 for the project.
    await traffic(first, start, 30);
    await traffic(second, start, 30);
    await detectors.checkNow();

    expect(await alertsOf('spend_anomaly', first.id)).toEqual([]);
    const [alert] = await alertsOf('spend_anomaly', first.projectId);
    expect(alert.details).toMatchObject({ on_anomaly: 'suspend', suspended_project: true, observed: { requests: 60 } });
    for (const key of [first, second]) {
      const refused = await chat(key.key);
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as { error: unknown }).error).toMatchObject({
        code: 'key_suspended',
        type: 'permission_error',
        message: expect.stringContaining(
          `This key's project was suspended by Switchyard's anomaly detection at ${new Date(now).toISOString().slice(0, 16)}`,
        ),
      });
    }
    expect(await cli('projects', 'resume', first.projectId)).toMatchObject({ suspended_at: null });
    for (const key of [first, second]) expect((await chat(key.key)).status).toBe(200);
    const events = await db.query(
      `SELECT action, actor FROM audit_events WHERE target_id = $1 AND action LIKE 'project.%' ORDER BY id`,
      [first.projectId],
    );
    expect(events.map((event: { action: string }) => event.action)).toEqual([
      'project.create',
      'project.update',
      'project.suspend',
      'project.resume',
    ]);
    expect(events[2].actor).toBe('system:anomaly-detection');
  });

  it('adds up the traffic of two instances and alerts and suspends once; the other instance refuses within its cache TTL', async () => {
    const other = await startTestGateway({
      catalog: catalogWithAlerts,
      database: gateway.database,
      env: { AUTH_CACHE_TTL_MS: '300' },
    });
    try {
      jest.spyOn(other.gateway.app.get(Clock), 'now').mockImplementation(() => new Date(now));
      const otherDetectors = other.gateway.app.get(AnomalyDetectors);
      const key = await gateway.createKey();
      await gateway.admin('PATCH', `/admin/projects/${key.projectId}`, { on_anomaly: 'suspend' });
      const start = now + 30 * WINDOW_MS;
      await history(key, start, 3, 2);
      now = start;
      // Each instance sees half of the burst; neither alone is above 10 × 2.
      const answers = await Promise.all(
        Array.from({ length: 40 }, (_, i) => chat(key.key, 'gpt-test', {}, i % 2 ? other.baseUrl : gateway.baseUrl)),
      );
      expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200));
      await until(async () => {
        await otherDetectors.checkNow();
        return (await tallied(key.id)) >= 6 + 40;
      });
      await Promise.all([detectors.checkNow(), otherDetectors.checkNow()]);

      const alerts = await alertsOf('spend_anomaly', key.id);
      expect(alerts).toHaveLength(1);
      expect(alerts[0].details).toMatchObject({ observed: { requests: 40 }, suspended_keys: [{ id: key.id }] });
      expect(
        await db.query(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'key.suspend' AND target_id = $1`, [
          key.id,
        ]),
      ).toEqual([{ n: 1 }]);
      // The instance that suspended refuses at once, the other once its cached lookup expires (5 s or 300 ms).
      const deadline = Date.now() + 7_000;
      const statuses = async () =>
        Promise.all(
          [gateway.baseUrl, other.baseUrl].map(async (url) => (await chat(key.key, 'gpt-test', {}, url)).status),
        );
      while ((await statuses()).some((status) => status !== 403) && Date.now() < deadline) await sleep(50);
      expect(await statuses()).toEqual([403, 403]);
    } finally {
      await other.close();
    }
  });

  it('raises one auth_failures alert for a burst of 401s on one key prefix, without the secret', async () => {
    const guessed = `sy-test-Gues${'s'.repeat(34)}`;
    const answers = await Promise.all(Array.from({ length: 25 }, () => chat(guessed)));
    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 401));
    await until(async () => {
      const [row] = await db.query(
        `SELECT coalesce(sum(failures), 0)::int AS n FROM auth_failure_windows WHERE key_prefix = 'sy-test-Gues'`,
      );
      return row.n >= 25;
    });
    await detectors.checkNow();

    const alerts = await db.query(`SELECT * FROM alerts WHERE kind = 'auth_failures'`);
    expect(alerts).toHaveLength(1);
    expect(alerts[0].details).toMatchObject({ key_prefix: 'sy-test-Gues', failures: 25, threshold: 20, window_s: 60 });
    const stored =
      JSON.stringify(await db.query(`SELECT * FROM alerts`)) +
      JSON.stringify(await db.query(`SELECT * FROM auth_failure_windows`));
    expect(stored).not.toContain(guessed.slice(12));
  });

  it('reports a key’s new address and new model once, and not its first request', async () => {
    const key = await gateway.createKey();
    await traffic(key, now, 1);
    await until(async () => (await db.query(`SELECT 1 FROM key_sightings WHERE key_id = $1`, [key.id])).length === 2);
    expect(await db.query(`SELECT kind FROM alerts WHERE subject_id = $1`, [key.id])).toEqual([]);

    for (let i = 0; i < 2; i++) {
      expect((await chat(key.key, 'gpt-other')).status).toBe(200);
      expect((await chat(key.key, 'gpt-test', { 'x-forwarded-for': '203.0.113.7' })).status).toBe(200);
    }
    await until(async () => (await db.query(`SELECT 1 FROM key_sightings WHERE key_id = $1`, [key.id])).length === 4);
    await detectors.checkNow();

    const alerts = await db.query(`SELECT kind, details FROM alerts WHERE subject_id = $1 ORDER BY kind`, [key.id]);
    expect(alerts).toEqual([
      { kind: 'new_ip', details: { ip: '203.0.113.7', first_seen_at: expect.any(String) } },
      { kind: 'new_model', details: { model: 'gpt-other', first_seen_at: expect.any(String) } },
    ]);
  });

  it('counts and reports the catalog model that served: no row or alert for a made-up name, one for an alias', async () => {
    const key = await gateway.createKey();
    await traffic(key, now, 1);
    await until(async () => (await db.query(`SELECT 1 FROM key_sightings WHERE key_id = $1`, [key.id])).length === 2);

    for (const model of ['made-up-1', 'made-up-2', 'made-up-3']) expect((await chat(key.key, model)).status).toBe(404);
    for (const model of ['gpt-other-latest', 'gpt-other-latest', 'gpt-other']) {
      expect((await chat(key.key, model)).status).toBe(200);
    }
    // Each request is handed to the detectors as its evidence record is queued: all 7 written, all 7 seen.
    await until(
      async () =>
        (await db.query(`SELECT count(*)::int AS n FROM request_records WHERE key_id = $1`, [key.id]))[0].n === 7,
    );
    await detectors.checkNow();

    const rows = await db.query(
      `SELECT model, sum(requests)::int AS requests FROM key_usage_buckets WHERE key_id = $1 GROUP BY model ORDER BY model`,
      [key.id],
    );
    expect(rows).toEqual([
      { model: 'gpt-other', requests: 3 },
      { model: 'gpt-test', requests: 1 },
    ]);
    const seen = await db.query(`SELECT value FROM key_sightings WHERE key_id = $1 AND kind = 'model' ORDER BY value`, [
      key.id,
    ]);
    expect(seen).toEqual([{ value: 'gpt-other' }, { value: 'gpt-test' }]);
    expect(await db.query(`SELECT kind, details FROM alerts WHERE subject_id = $1`, [key.id])).toEqual([
      { kind: 'new_model', details: { model: 'gpt-other', first_seen_at: expect.any(String) } },
    ]);
  });
});

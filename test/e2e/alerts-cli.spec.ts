import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { AlertsService } from '@app/alerts';
import { FakeOpenAiServer } from '../fakes/fake-openai.server';
import { runCliInProcess } from '../utils/cli';
import { openAiCatalog, startTestGateway, TEST_ADMIN_KEY, TestGateway } from '../utils/test-gateway';

/** `switchyard alerts [--kind] [--since]` and `switchyard alerts ack ID` against a running gateway. */
describe('switchyard alerts', () => {
  let fake: FakeOpenAiServer;
  let gateway: TestGateway;
  let env: Record<string, string>;
  let keyId: string;
  const cli = (...args: string[]) => runCliInProcess(args, env);

  beforeAll(async () => {
    fake = new FakeOpenAiServer('sk-provider');
    gateway = await startTestGateway({
      catalog: openAiCatalog(await fake.start(), 'sk-provider'),
      env: { LOG_LEVEL: 'warn' },
    });
    env = { SWITCHYARD_URL: gateway.baseUrl, SWITCHYARD_ADMIN_KEY: TEST_ADMIN_KEY };
    const { id, projectId } = await gateway.createKey();
    keyId = id;
    const alerts = gateway.gateway.app.get(AlertsService);
    await alerts.raise({
      kind: 'new_model',
      subject: { type: 'key', id },
      details: { model: 'gpt-test' },
      dedupe_key: `new_model:${id}:gpt-test`,
    });
    await alerts.raise({
      kind: 'budget_threshold',
      subject: { type: 'project', id: projectId },
      details: { level: 'project', threshold_percent: 80, limit_usd: 10, spent_usd: 8.5 },
      dedupe_key: `budget:${projectId}:80`,
    });
  });

  afterAll(async () => {
    await gateway?.close();
    await fake?.stop();
  });

  it('lists alerts as a table, filtered by kind and time, and as JSON', async () => {
    const table = await cli('alerts');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^ID\s+CREATED\s+KIND\s+SUBJECT\s+DETAILS\s+DELIVERED\s+ACKED\n-+/);
    // Details as Postgres keeps them (jsonb orders keys); no webhook configured: nothing to deliver.
    expect(table.stdout).toMatch(
      /budget_threshold\s+project \S+\s+level=project limit_usd=10 spent_usd=8.5 \S+\s+-\s+no\n/,
    );
    expect(table.stdout).toContain(`key ${keyId}`);

    const byKind = await cli('alerts', '--kind', 'new_model', '--since', '1h', '--json');
    expect(byKind.code).toBe(0);
    const listed = JSON.parse(byKind.stdout).data;
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ kind: 'new_model', subject: { type: 'key', id: keyId } });
    expect(JSON.parse((await cli('alerts', '--since', '2000-01-01T00:00:00Z', '--json')).stdout).data).toHaveLength(2);

    const badKind = await cli('alerts', '--kind', 'coffee');
    expect(badKind.code).toBe(2);
  });

  it('acknowledges an alert; --unacknowledged leaves it out afterwards', async () => {
    const [alert] = JSON.parse((await cli('alerts', '--kind', 'budget_threshold', '--json')).stdout).data;
    const acked = await cli('alerts', 'ack', alert.id);
    expect(acked.code).toBe(0);
    expect(acked.stdout).toMatch(new RegExp(`^id\\s+${alert.id}\\n`));
    expect(acked.stdout).toMatch(/acknowledged\s+\d{4}-/);
    const open = JSON.parse((await cli('alerts', '--unacknowledged', '--json')).stdout).data;
    expect(open.map((entry: any) => entry.kind)).toEqual(['new_model']);

    const unknown = await cli('alerts', 'ack', '00000000-0000-4000-8000-000000000000');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('HTTP 404');
  });
});

describe('switchyard config check: the alerts section', () => {
  const work = mkdtempSync(join(tmpdir(), 'switchyard-alerts-config-'));
  const catalogWith = (name: string, alerts: unknown) => {
    const file = join(work, name);
    writeFileSync(
      file,
      stringify({
        providers: [{ id: 'openai', type: 'openai', base_url: 'https://api.openai.com/v1', api_key: 'sk-x' }],
        models: [
          {
            name: 'gpt-4.1-mini',
            pricing: { input_per_mtok: 1, output_per_mtok: 2 },
            deployments: [{ provider: 'openai', model: 'gpt-4.1-mini' }],
          },
        ],
        alerts,
      }),
    );
    return file;
  };

  it('accepts webhooks whose secret comes from the environment, and the documented settings', async () => {
    const file = catalogWith('valid.yaml', {
      webhooks: [{ url: 'https://hooks.example.com/switchyard', secret: '${ALERTS_TEST_UNSET_SECRET}' }],
      budget_thresholds: [50, 80, 100],
      anomaly: { window_s: 300, factor: 10, min_requests: 20 },
    });
    const result = await runCliInProcess(['config', 'check', file], {});
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${file}: valid\n`);
    expect(result.stderr).toContain('${ALERTS_TEST_UNSET_SECRET} is not set here');
  });

  it('names each bad field of the section by path, with the gateway’s own schema', async () => {
    const file = catalogWith('invalid.yaml', {
      webhooks: [{ url: 'ftp://hooks.example.com', secret: 'short' }],
      budget_thresholds: [0, 80],
      anomaly: { window_s: 300, factr: 10 },
    });
    const result = await runCliInProcess(['config', 'check', file], {});
    expect(result.code).toBe(1);
    for (const path of [
      'alerts.webhooks[0].url',
      'alerts.webhooks[0].secret',
      'alerts.budget_thresholds[0]',
      'alerts.anomaly',
    ])
      expect(result.stdout).toContain(`  ${path}: `);
    expect(result.stdout).toContain('factr');
  });
});

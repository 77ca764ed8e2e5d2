import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '../utils/eventually';
import { GatewayProcess, spawnGateway } from '../utils/gateway-process';
import { startTestGateway } from '../utils/test-gateway';

/**
 * `npm start` as a newcomer meets it, on the README alone: the console output of a first start and a restart,
 * and the README quickstart's five checks (chat, stream, wrong key, insufficient balance, rate limit) with
 * the demo keys the banner shows, on the shipped demo catalog and the embedded database.
 */
describe('first run, as the README walks it', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-first-run-'));
  let gateway: GatewayProcess | undefined;

  const start = () =>
    spawnGateway({
      LOG_LEVEL: 'info',
      DATABASE_URL: '',
      REDIS_URL: '',
      SWITCHYARD_ADMIN_KEY: '',
      SWITCHYARD_CONFIG: 'config/switchyard.demo.yaml',
      SWITCHYARD_DATA_DIR: dataDir,
    });
  const stop = async () => {
    gateway!.child.kill('SIGTERM');
    expect(await gateway!.exited).toBe(0);
    gateway = undefined;
  };

  afterAll(async () => {
    gateway?.child.kill('SIGKILL');
    await gateway?.exited;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints the listening line, then the banner with the two keys last; no framework route noise; the five quickstart checks pass', async () => {
    gateway = await start();
    const output = await eventually(gateway.output, (text) => text.includes('curl '));
    const lines = output.split('\n');
    const listening = lines.findIndex((line) => /^Switchyard listening on http:\/\/127\.0\.0\.1:\d+\/v1$/.test(line));
    const banner = lines.findIndex((line) => line.startsWith('Switchyard first start'));
    expect(listening).toBeGreaterThanOrEqual(0);
    expect(banner).toBeGreaterThan(listening);
    // Every log line came before the listening line: nothing pushes the keys off the screen.
    expect(lines.slice(listening + 1).filter((line) => line.startsWith('{'))).toEqual([]);
    expect(output).not.toMatch(/Mapped \{|"context":"(InstanceLoader|RoutesResolver|RouterExplorer|NestFactory)"/);
    const adminKey = /admin key \(for \/admin\): (\S+)/.exec(output)![1];
    const demoKey = /demo key {2}\(for \/v1\): {4}(\S+)/.exec(output)![1];

    const url = gateway.baseUrl;
    const chat = (key: string, body: object = {}) =>
      fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'demo-chat', messages: [{ role: 'user', content: 'Hello' }], ...body }),
      });
    const admin = async (method: string, path: string, body?: object) => {
      const response = await fetch(url + path, {
        method,
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
        body: body && JSON.stringify(body),
      });
      return { status: response.status, body: response.status === 204 ? null : ((await response.json()) as any) };
    };

    // 1. chat, 2. stream
    const reply = await chat(demoKey);
    expect(reply.status).toBe(200);
    expect(((await reply.json()) as any).choices[0].message.content).toContain('You said: "Hello"');
    const stream = await (await chat(demoKey, { stream: true })).text();
    expect(stream.trimEnd().endsWith('data: [DONE]')).toBe(true);
    // 3. a wrong key
    const wrong = await chat('sy-test-not-a-real-key');
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as any).error.code).toBe('invalid_api_key');

    // The demo key's id, as the README finds it.
    const keys = await admin('GET', '/admin/keys');
    const demo = keys.body.data.find((key: { name: string }) => key.name === 'demo key');
    // 4. insufficient balance: the demo model is priced, so a tiny budget applies (and no warning says otherwise)
    const budget = await admin('PUT', `/admin/keys/${demo.id}/budget`, { limit_usd: 0.001, period: 'daily' });
    expect(budget).toMatchObject({ status: 200, body: { limit_usd: 0.001, warnings: [] } });
    const broke = await chat(demoKey);
    expect(broke.status).toBe(402);
    expect(broke.headers.get('x-should-retry')).toBe('false');
    expect(((await broke.json()) as any).error.code).toBe('insufficient_quota');
    expect((await admin('DELETE', `/admin/keys/${demo.id}/budget`)).status).toBe(204);
    // 5. rate limit
    expect((await admin('PUT', `/admin/keys/${demo.id}/rate-limits`, { rpm: 1 })).status).toBe(200);
    expect((await chat(demoKey)).status).toBe(200);
    const limited = await chat(demoKey);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await limited.json()) as any).error.code).toBe('rate_limit_exceeded');

    await stop();
    expect(gateway).toBeUndefined();
  }, 120_000);

  it('prints the listening line on every later start, and no banner', async () => {
    gateway = await start();
    const output = gateway.output();
    expect(output).toMatch(/^Switchyard listening on http:\/\/127\.0\.0\.1:\d+\/v1$/m);
    expect(output).not.toContain('first start');
    await stop();
  }, 60_000);

  it('warns when a budget is set while the catalog has models without a price', async () => {
    const priced = { input_per_mtok: 1, output_per_mtok: 2 };
    const test = await startTestGateway({
      catalog: {
        providers: [{ id: 'mock', type: 'mock' }],
        models: [
          { name: 'priced', pricing: priced, deployments: [{ provider: 'mock', model: 'm' }] },
          { name: 'free-a', deployments: [{ provider: 'mock', model: 'm' }] },
          {
            name: 'half',
            deployments: [
              { provider: 'mock', model: 'm' },
              { provider: 'mock', model: 'n', pricing: priced },
            ],
          },
        ],
      },
    });
    try {
      const { teamId } = await test.createKey();
      const budget = await test.admin('PUT', `/admin/teams/${teamId}/budget`, { limit_usd: 5, period: 'monthly' });
      expect(budget.status).toBe(200);
      expect(budget.body.limit_usd).toBe(5);
      expect(budget.body.warnings).toEqual([expect.stringContaining('models without a price (free-a, half)')]);
    } finally {
      await test.close();
    }
  });
});

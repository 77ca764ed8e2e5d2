import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import OpenAI from 'openai';
import { createGateway, Gateway } from '../../apps/gateway/src/bootstrap';
import { wireCheck } from '../utils/openai-wire';
import { withEnv } from '../utils/test-gateway';

/** `npm start` on a fresh machine: no DATABASE_URL, no admin key, the shipped demo config. */
describe('zero-setup start on the embedded database', () => {
  // Every body and stream event received is checked against OpenAI's published OpenAPI document.
  const wire = wireCheck();
  const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-zero-'));
  const logs: string[] = [];
  const logDestination = new Writable({ write: (chunk, _e, done) => (logs.push(String(chunk)), done()) });

  const start = async (): Promise<{ gateway: Gateway; baseUrl: string }> => {
    const gateway = await withEnv(
      {
        DATABASE_URL: '',
        SWITCHYARD_ADMIN_KEY: '',
        SWITCHYARD_CONFIG: 'config/switchyard.demo.yaml',
        SWITCHYARD_DATA_DIR: dataDir,
      },
      () => createGateway({ logDestination }),
    );
    await gateway.app.listen(0, '127.0.0.1');
    return { gateway, baseUrl: `http://127.0.0.1:${(gateway.app.getHttpServer().address() as AddressInfo).port}` };
  };

  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('creates demo credentials once, serves the demo model, and keeps the key across a restart', async () => {
    const first = await start();
    const credentials = first.gateway.firstRun!;
    expect(credentials.demoKey).toMatch(/^sy-test-/);
    expect(credentials.adminKey).toMatch(/^sy-admin-/);

    const ask = async (baseUrl: string) => {
      const client = new OpenAI({
        apiKey: credentials.demoKey,
        baseURL: `${baseUrl}/v1`,
        maxRetries: 0,
        fetch: wire.fetch,
      });
      const reply = await client.chat.completions.create({
        model: 'demo-chat',
        messages: [{ role: 'user', content: 'Hello' }],
      });
      let streamed = '';
      for await (const chunk of await client.chat.completions.create({
        model: 'demo',
        stream: true,
        messages: [{ role: 'user', content: 'Hello' }],
      })) {
        streamed += chunk.choices[0]?.delta.content ?? '';
      }
      expect(streamed).toBe(reply.choices[0].message.content);
      return reply.choices[0].message.content;
    };
    expect(await ask(first.baseUrl)).toContain('You said: "Hello"');
    const teams = await fetch(`${first.baseUrl}/admin/teams`, {
      headers: { authorization: `Bearer ${credentials.adminKey}` },
    });
    expect(teams.status).toBe(200);
    const trail = await fetch(`${first.baseUrl}/admin/audit-events`, {
      headers: { authorization: `Bearer ${credentials.adminKey}` },
    });
    const events = ((await trail.json()) as any).data;
    expect(events.map((event: any) => [event.actor, event.action])).toEqual(
      ['key.create', 'project.create', 'team.create', 'admin_key.create'].map((action) => ['system:first-run', action]),
    );
    // Every kind of admin change, on the embedded database's single connection: none may wait on itself.
    const admin = (method: string, path: string, body?: object) =>
      fetch(first.baseUrl + path, {
        method,
        headers: { authorization: `Bearer ${credentials.adminKey}`, 'content-type': 'application/json' },
        body: body && JSON.stringify(body),
        signal: AbortSignal.timeout(3_000),
      });
    const project = ((await (await admin('GET', '/admin/projects')).json()) as any).data[0];
    const changes: Array<[string, string, object?]> = [
      ['PUT', `/admin/projects/${project.id}/budget`, { limit_usd: 5, period: 'daily' }],
      ['PUT', `/admin/projects/${project.id}/rate-limits`, { rpm: 600, tpm: 100_000 }],
      ['PUT', `/admin/projects/${project.id}/access`, { models: ['demo-chat', 'demo-embed'] }],
      ['POST', '/admin/keys', { project_id: project.id, name: 'spare', environment: 'staging' }],
    ];
    for (const [method, path, body] of changes) {
      const status = (await admin(method, path, body)).status;
      expect([path, status >= 200 && status < 300]).toEqual([path, true]);
    }
    expect((await admin('GET', `/admin/projects/${project.id}/balance`)).status).toBe(200);
    await first.gateway.app.close();

    const second = await start();
    expect(second.gateway.firstRun).toBeNull();
    expect(await ask(second.baseUrl)).toContain('You said: "Hello"');
    await second.gateway.app.close();

    const allLogs = logs.join('');
    expect(allLogs).not.toContain(credentials.demoKey);
    expect(allLogs).not.toContain(credentials.adminKey);
    // Two starts of the embedded Postgres (WASM): ~20 s on an idle 2-core machine, over 60 s when it is busy.
  }, 180_000);
});

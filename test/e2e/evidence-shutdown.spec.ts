import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { stringify } from 'yaml';
import { FakeOpenAiServer } from '../fakes/fake-openai.server';
import { eventually } from '../utils/eventually';
import { GatewayProcess, spawnGateway } from '../utils/gateway-process';
import { wireCheck } from '../utils/openai-wire';
import { createTestDatabase, TestDatabase } from '../utils/test-database';
import { openAiCatalog, TEST_ADMIN_KEY } from '../utils/test-gateway';

const STREAMS = 200;

/** SIGTERM while streams are in flight: readiness fails first, every stream finishes, every record is written, exit 0. */
describe('graceful shutdown', () => {
  // Every stream received is checked against OpenAI's published OpenAPI document, its ending included.
  const wire = wireCheck();
  let fake: FakeOpenAiServer;
  let database: TestDatabase;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    fake = new FakeOpenAiServer('sk-provider');
    // About 3.5 s per stream: long enough to be in flight through the drain delay and into the close.
    fake.defaultReply = { text: 'x'.repeat(200), eventDelayMs: 100 };
    const catalogFile = join(mkdtempSync(join(tmpdir(), 'switchyard-shutdown-')), 'catalog.yaml');
    writeFileSync(catalogFile, stringify(openAiCatalog(await fake.start(), 'sk-provider')));
    database = await createTestDatabase();
    gateway = await spawnGateway({
      DATABASE_URL: database.url,
      SWITCHYARD_CONFIG: catalogFile,
      SWITCHYARD_ADMIN_KEY: TEST_ADMIN_KEY,
      SHUTDOWN_DRAIN_DELAY_MS: '1500',
    });
  }, 60_000);

  afterAll(async () => {
    gateway?.child.kill('SIGKILL');
    await database?.drop();
    await fake?.stop();
  });

  const admin = async (path: string, body: object) => {
    const response = await fetch(gateway.baseUrl + path, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return (await response.json()) as any;
  };

  it(`lets ${STREAMS} streams finish, writes their ${STREAMS} records and exits 0`, async () => {
    const team = await admin('/admin/teams', { name: 'shutdown' });
    const project = await admin('/admin/projects', { name: 'p', team_id: team.id });
    const key = await admin('/admin/keys', { project_id: project.id, name: 'k', environment: 'test' });

    const streams = await Promise.all(
      Array.from({ length: STREAMS }, async () => {
        const response = await wire.fetch(`${gateway.baseUrl}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key.key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'gpt-test', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
        });
        const reader = response.body!.getReader();
        const first = await reader.read();
        return { status: response.status, reader, text: Buffer.from(first.value).toString() };
      }),
    );
    expect(streams.map((stream) => stream.status)).toEqual(Array(STREAMS).fill(200));

    gateway.child.kill('SIGTERM');
    const readiness = await eventually(
      () =>
        fetch(`${gateway.baseUrl}/readyz`).then(async (response) => ({
          status: response.status,
          body: (await response.json()) as any,
        })),
      (answer) => answer.status === 503,
      5_000,
    );
    expect(readiness).toEqual({
      status: 503,
      body: { status: 'unavailable', checks: { database: 'ok', config: 'loaded', draining: true } },
    });

    const texts = await Promise.all(
      streams.map(async ({ reader, text }) => {
        for (let next = await reader.read(); !next.done; next = await reader.read())
          text += Buffer.from(next.value).toString();
        return text;
      }),
    );
    expect(texts.filter((text) => text.trimEnd().endsWith('data: [DONE]'))).toHaveLength(STREAMS);
    expect(await gateway.exited).toBe(0);

    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query(
        `SELECT count(*)::int AS records, count(DISTINCT request_id)::int AS requests,
                count(*) FILTER (WHERE status = 200 AND NOT client_aborted AND error_code IS NULL)::int AS complete
         FROM request_records WHERE key_id = $1`,
        [key.id],
      );
      expect(rows[0]).toEqual({ records: STREAMS, requests: STREAMS, complete: STREAMS });
    } finally {
      await client.end();
    }
  }, 60_000);
});

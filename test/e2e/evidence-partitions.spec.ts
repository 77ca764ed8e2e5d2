import { DataSource } from 'typeorm';
import { RequestRecordWriter, requestRecordFrom } from '@app/audit';
import { FakeOpenAiServer } from '../fakes/fake-openai.server';
import { eventually } from '../utils/eventually';
import { openAiCatalog, startTestGateway, TestGateway } from '../utils/test-gateway';

const DAY_MS = 86_400_000;
const dayName = (offsetDays: number) =>
  `request_records_p${new Date(Date.now() + offsetDays * DAY_MS).toISOString().slice(0, 10).replace(/-/g, '')}`;
const dayStart = (offsetDays: number) =>
  `${new Date(Date.now() + offsetDays * DAY_MS).toISOString().slice(0, 10)}T00:00:00Z`;

/** Daily partitions: made ahead at start-up, on demand for a stray day, and dropped whole after the retention period. */
describe('request record partitions', () => {
  let fake: FakeOpenAiServer;
  let gateway: TestGateway;
  let catalog: object;
  const env = { EVIDENCE_RETENTION_DAYS: '30', EVIDENCE_FLUSH_INTERVAL_MS: '50' };

  beforeAll(async () => {
    fake = new FakeOpenAiServer('sk-provider');
    catalog = openAiCatalog(await fake.start(), 'sk-provider');
    gateway = await startTestGateway({ catalog, env });
  });

  afterAll(async () => {
    await gateway?.close();
    await fake?.stop();
  });

  const partitions = async (test: TestGateway = gateway): Promise<string[]> =>
    (
      await test.gateway.app.get(DataSource).query(
        `SELECT child.relname AS name FROM pg_inherits
         JOIN pg_class child ON child.oid = inhrelid JOIN pg_class parent ON parent.oid = inhparent
         WHERE parent.relname = 'request_records' ORDER BY 1`,
      )
    ).map((row: { name: string }) => row.name);

  it('creates the partitions from yesterday to three days ahead at start-up', async () => {
    expect(await partitions()).toEqual(expect.arrayContaining([-1, 0, 1, 2, 3].map(dayName)));
  });

  it('creates a missing partition when a record falls outside the existing ones', async () => {
    const future = new Date(Date.now() + 20 * DAY_MS);
    const writer = gateway.gateway.app.get(RequestRecordWriter);
    writer.add(
      requestRecordFrom({
        context: { requestId: 'stray-day', receivedAt: future.getTime(), costMicroUsd: null },
        method: 'GET',
        endpoint: '/v1/models',
        status: 200,
        clientAborted: false,
        stream: false,
        endedAt: future.getTime() + 5,
        clientIp: '127.0.0.1',
        userAgent: null,
        endUser: null,
      }),
    );
    const found = await eventually(
      () => gateway.admin('GET', '/admin/requests/stray-day'),
      (response) => response.status === 200,
    );
    expect(found.body.created_at.slice(0, 10)).toBe(future.toISOString().slice(0, 10));
    expect(await partitions()).toContain(dayName(20));
    expect(writer.stats.dropped).toBe(0);
  });

  it('drops partitions older than the retention period at start-up, and only those', async () => {
    const database = gateway.gateway.app.get(DataSource);
    for (const offset of [-40, -29]) {
      await database.query(
        `CREATE TABLE ${dayName(offset)} PARTITION OF request_records FOR VALUES FROM ('${dayStart(offset)}') TO ('${dayStart(offset + 1)}')`,
      );
    }
    const restarted = await startTestGateway({ catalog, env, database: gateway.database });
    try {
      const names = await partitions(restarted);
      expect(names).not.toContain(dayName(-40));
      expect(names).toContain(dayName(-29));
    } finally {
      await restarted.close();
    }
  });
});

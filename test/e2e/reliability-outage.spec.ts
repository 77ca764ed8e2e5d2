import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { RequestRecordWriter } from '@app/audit';
import { BudgetService } from '@app/quota';
import { FakeOpenAiServer } from '../fakes/fake-openai.server';
import { eventually } from '../utils/eventually';
import { wireCheck } from '../utils/openai-wire';
import { TcpProxy } from '../utils/tcp-proxy';
import { createTestDatabase, TestDatabase } from '../utils/test-database';
import { openAiCatalog, startTestGateway, TEST_ADMIN_KEY, TestGateway } from '../utils/test-gateway';

/** How long Postgres is cut; 30 s is the acceptance figure (OUTAGE_CUT_MS shortens it for a quick local run). */
const CUT_MS = Number(process.env.OUTAGE_CUT_MS ?? 30_000);
/** Steady traffic: this many clients, each sending a request every PACE_MS (≈ 40 requests/s in all). */
const CLIENTS = 4;
const PACE_MS = 100;
const PROVIDER_KEY = 'sk-outage-provider';
// 10 micro-USD per token either way; a request reserves (its prompt bound + max_tokens) × 10.
const PRICING = { input_per_mtok: 10, output_per_mtok: 10 };
const MAX_TOKENS = 16;

interface Sent {
  requestId: string;
  key: string;
  status: number;
  ms: number;
  /** When the response ended, relative to the cut. */
  phase: 'before' | 'during' | 'after';
}

/**
 * Postgres goes away for CUT_MS while known keys send steady traffic through one gateway (its DATABASE_URL
 * points at a TCP proxy the test cuts): keys, quota policies and leased budget headroom ride it out,
 * evidence and ledger rows wait in memory and on disk, and after recovery each is written exactly once.
 * Keys the instance never verified, and admin writes, get 503 + retry-after; readiness is 503 meanwhile.
 */
describe('reliability: a Postgres outage under steady traffic', () => {
  // Every body received, during the outage too, is checked against OpenAI's published OpenAPI document.
  const wire = wireCheck();
  let fake: FakeOpenAiServer;
  let database: TestDatabase;
  let proxy: TcpProxy;
  let gateway: TestGateway;
  let sql: Client;
  let spillDir: string;
  let steady: Array<{ key: string; id: string }>;
  let tight: { key: string; id: string };
  let fresh: { key: string; id: string };
  let upstream: string;
  let gatewayDatabase: TestDatabase;
  const sent: Sent[] = [];
  let phase: Sent['phase'] = 'before';
  let sequence = 0;
  /** Stops the traffic and the watcher, so that a failed expectation does not leave them running. */
  let stopTraffic = async (): Promise<void> => undefined;

  beforeAll(async () => {
    fake = new FakeOpenAiServer(PROVIDER_KEY);
    database = await createTestDatabase();
    const direct = new URL(database.url);
    proxy = new TcpProxy(direct.hostname, Number(direct.port || 5432));
    const proxied = new URL(database.url);
    proxied.port = String(await proxy.start());
    spillDir = mkdtempSync(join(tmpdir(), 'switchyard-spill-'));
    upstream = await fake.start();
    gatewayDatabase = { url: proxied.toString(), drop: database.drop };
    gateway = await startGateway();
    sql = new Client({ connectionString: database.url });
    await sql.connect();

    // Three steady keys: budgets on the key, on the project, and none at all.
    steady = [];
    for (const scope of ['keys', 'projects', null] as const) {
      const created = await gateway.createKey();
      if (scope) {
        const id = scope === 'keys' ? created.id : created.projectId;
        await gateway.admin('PUT', `/admin/${scope}/${id}/budget`, { limit_usd: 100, period: 'monthly' });
      }
      steady.push(created);
    }
    // A budget whose lease (a tenth of its headroom) covers only a few requests.
    tight = await gateway.createKey();
    await gateway.admin('PUT', `/admin/keys/${tight.id}/budget`, { limit_usd: 0.05, period: 'monthly' });
    // Created just before the outage and never used on this instance: it has nothing to ride on.
    fresh = await gateway.createKey();
  });

  afterAll(async () => {
    await stopTraffic();
    proxy?.restore();
    await sql?.end();
    await gateway?.close();
    await proxy?.stop();
    await database?.drop();
    await fake?.stop();
    if (spillDir) rmSync(spillDir, { recursive: true, force: true });
  });

  /** A gateway on the proxied database, sharing the spill directory with the ones before it. */
  const startGateway = () =>
    startTestGateway({
      catalog: openAiCatalog(upstream, PROVIDER_KEY, [
        { name: 'gpt-test', pricing: PRICING, deployments: [{ provider: 'openai', model: 'gpt-test' }] },
      ]),
      database: gatewayDatabase,
      // Key and policy caches keep their defaults (5 s): an outage longer than them is the point. Small
      // memory buffers, so that both evidence and ledger rows spill to disk during the cut.
      env: {
        DATABASE_SPILL_DIR: spillDir,
        EVIDENCE_BUFFER_MAX_ROWS: '100',
        EVIDENCE_BATCH_SIZE: '50',
        QUOTA_LEDGER_BUFFER_MAX_ROWS: '100',
      },
    });

  /**
   * Every request in `entries` has exactly one evidence record with the status its client saw, every
   * served one exactly one ledger entry with the record's cost, and every budget's spent is the sum of
   * its ledger and its reserved what its leases hold.
   */
  async function expectEachWrittenOnce(entries: readonly Sent[]): Promise<void> {
    const records = await sql.query<{ request_id: string; status: number; cost: string | null; n: string }>(
      `SELECT request_id, min(status) AS status, min(cost_micro_usd) AS cost, count(*) AS n
         FROM request_records WHERE request_id LIKE 'outage-%' GROUP BY request_id`,
    );
    const recordOf = new Map(records.rows.map((row) => [row.request_id, row]));
    const ledger = await sql.query<{ request_id: string; cost: string; n: string }>(
      `SELECT request_id, min(cost_micros) AS cost, count(*) AS n
         FROM ledger_entries WHERE request_id LIKE 'outage-%' GROUP BY request_id`,
    );
    const ledgerOf = new Map(ledger.rows.map((row) => [row.request_id, row]));
    for (const entry of entries) {
      const record = recordOf.get(entry.requestId);
      const ledgerEntry = ledgerOf.get(entry.requestId);
      expect({ id: entry.requestId, records: Number(record?.n ?? 0), status: record?.status }).toEqual({
        id: entry.requestId,
        records: 1,
        status: entry.status,
      });
      expect({ id: entry.requestId, ledgerEntries: Number(ledgerEntry?.n ?? 0) }).toEqual({
        id: entry.requestId,
        ledgerEntries: entry.status === 200 ? 1 : 0,
      });
      if (ledgerEntry) expect(ledgerEntry.cost).toBe(record!.cost);
    }
    const budgets = await sql.query<{ spent: string; ledger: string; reserved: string; leased: string }>(
      `SELECT b.spent_micros AS spent, b.reserved_micros AS reserved,
              (SELECT coalesce(sum(l.cost_micros), 0) FROM ledger_entries l
                WHERE (b.scope = 'key' AND l.key_id = b.scope_id) OR (b.scope = 'project' AND l.project_id = b.scope_id)) AS ledger,
              (SELECT coalesce(sum(amount_micros), 0) FROM budget_leases WHERE budget_id = b.id) AS leased
         FROM budgets b`,
    );
    expect(budgets.rows).toHaveLength(3);
    for (const row of budgets.rows) {
      expect(row.spent).toBe(row.ledger);
      expect(row.reserved).toBe(row.leased);
    }
  }

  /** One chat completion with its own request id, every other one streamed; resolves with the response. */
  async function call(key: string): Promise<{ status: number; headers: Headers; body: string; requestId: string }> {
    const requestId = `outage-${sequence++}`;
    const stream = sequence % 2 === 0;
    const response = await wire.fetch(`${gateway.baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'x-request-id': requestId },
      body: JSON.stringify({
        model: 'gpt-test',
        max_tokens: MAX_TOKENS,
        messages: [{ role: 'user', content: `request ${requestId}` }],
        ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
      }),
    });
    return { status: response.status, headers: response.headers, body: await response.text(), requestId };
  }

  async function send(key: string): Promise<Sent> {
    const started = performance.now();
    const { status, requestId } = await call(key);
    const entry = { requestId, key, status, ms: performance.now() - started, phase };
    sent.push(entry);
    return entry;
  }

  const readiness = async () => (await fetch(`${gateway.baseUrl}/readyz`)).status;

  it(
    'serves known keys through the cut, answers what needs the database with 503 + retry-after, and writes every row once after',
    async () => {
      for (const { key } of [...steady, tight]) expect((await send(key)).status).toBe(200);
      const logStart = gateway.logs.length;

      let running = true;
      const traffic = Array.from({ length: CLIENTS }, async (_, client) => {
        for (let i = client; running; i++) {
          await send(steady[i % steady.length].key);
          await sleep(PACE_MS);
        }
      });
      const writer = gateway.gateway.app.get(RequestRecordWriter);
      const budgets = gateway.gateway.app.get(BudgetService);
      let peak = { recordsSpilled: 0, ledgerSpilled: 0, ledgerBuffered: 0 };
      let back = 0;
      let spillReplayedAt = 0;
      const watch = setInterval(() => {
        const onDisk = writer.stats.spilled + budgets.ledgerBacklog.spilled;
        if (phase === 'after' && !spillReplayedAt && onDisk === 0) spillReplayedAt = Date.now();
        peak = {
          recordsSpilled: Math.max(peak.recordsSpilled, writer.stats.spilled),
          ledgerSpilled: Math.max(peak.ledgerSpilled, budgets.ledgerBacklog.spilled),
          ledgerBuffered: Math.max(peak.ledgerBuffered, budgets.ledgerBacklog.buffered),
        };
      }, 100);
      stopTraffic = async () => {
        running = false;
        clearInterval(watch);
        await Promise.all(traffic);
      };

      await sleep(2_000);
      proxy.cut();
      const cutAt = Date.now();
      phase = 'during';
      await sleep(Math.min(1_000, CUT_MS / 4));

      // What needs the database answers 503 + retry-after at once, never 500.
      const unverified = await call(fresh.key);
      expect(unverified.status).toBe(503);
      expect(Number(unverified.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(JSON.parse(unverified.body).error.code).toBe('service_unavailable');
      const adminWrite = await fetch(`${gateway.baseUrl}/admin/teams`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'during the outage' }),
      });
      expect(adminWrite.status).toBe(503);
      expect(Number(adminWrite.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await adminWrite.json()) as any).error.code).toBe('service_unavailable');
      expect(await readiness()).toBe(503);

      // The tight budget's lease runs out: that budget fails closed (503 + retry-after), never 402 or 500.
      const tightStatuses: number[] = [];
      for (let i = 0; i < 100 && !tightStatuses.includes(503); i++) {
        const response = await call(tight.key);
        tightStatuses.push(response.status);
        if (response.status === 503) expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
      }
      expect(tightStatuses.filter((status) => status !== 200)).toEqual([503]);
      expect(tightStatuses.length).toBeGreaterThan(1); // the lease served some before running out

      await sleep(Math.max(0, CUT_MS - (Date.now() - cutAt)));
      proxy.restore();
      phase = 'after';
      back = Date.now();
      expect(await eventually(readiness, (status) => status === 200, 10_000)).toBe(200);
      const readyAfterMs = Date.now() - back;
      await sleep(3_000);
      running = false;
      await Promise.all(traffic);

      // Every row written once, memory and disk drained.
      const backlog = async () => ({ records: writer.stats, ledger: budgets.ledgerBacklog });
      const drained = await eventually(
        backlog,
        ({ records, ledger }) => records.buffered + records.spilled + ledger.buffered + ledger.spilled === 0,
        30_000,
      );
      expect(drained).toMatchObject({
        records: { buffered: 0, spilled: 0, dropped: 0 },
        ledger: { buffered: 0, spilled: 0 },
      });
      clearInterval(watch);
      await budgets.flush();
      await writer.flush();

      const duringCut = sent.filter((entry) => entry.phase === 'during');
      const served = duringCut.filter((entry) => entry.status === 200).length;
      const servedShare = served / duringCut.length;
      expect(duringCut.length).toBeGreaterThan(CUT_MS / PACE_MS); // steady traffic did flow through the cut
      expect(servedShare).toBeGreaterThanOrEqual(0.999);

      await expectEachWrittenOnce(sent);

      // The outage is two log lines (down, back), not one per request; nothing logged as unexpected.
      const logs = gateway.logs.slice(logStart);
      expect(logs.filter((line) => /database unreachable/.test(line))).toHaveLength(1);
      expect(logs.filter((line) => /database reachable again/.test(line))).toHaveLength(1);
      expect(
        logs.filter((line) => /unexpected error|writing request records failed|maintenance failed|"stack"/.test(line)),
      ).toEqual([]);
      expect(peak.recordsSpilled).toBeGreaterThan(0);
      expect(peak.ledgerSpilled).toBeGreaterThan(0);

      console.log(
        JSON.stringify({
          cutMs: CUT_MS,
          requestsDuringCut: duringCut.length,
          servedDuringCut: served,
          servedShare,
          tightLeaseServedBefore503: tightStatuses.length - 1,
          readyAfterRestoreMs: readyAfterMs,
          spillReplayedAfterRestoreMs: spillReplayedAt - back,
          p99MsBefore: p99(sent.filter((entry) => entry.phase === 'before')),
          p99MsDuringCut: p99(duringCut),
          peakSpilled: peak,
          totalRequests: sent.length,
        }),
      );
    },
    CUT_MS + 90_000,
  );

  it('keeps what a gateway stopped during an outage could not write on disk, and the next start writes it once', async () => {
    proxy.cut();
    const before = sent.length;
    for (let i = 0; i < 150; i++) expect((await send(steady[i % steady.length].key)).status).toBe(200);
    const stopped = sent.slice(before);
    await gateway.close();
    // Nothing of those requests reached the database: it can only come from the files the stopped gateway left.
    const [databaseDir] = readdirSync(spillDir);
    expect(readdirSync(join(spillDir, databaseDir)).filter((name) => name.startsWith('ledger-'))).not.toEqual([]);
    expect(readdirSync(join(spillDir, databaseDir)).filter((name) => name.startsWith('evidence-'))).not.toEqual([]);

    proxy.restore();
    gateway = await startGateway();
    const writer = gateway.gateway.app.get(RequestRecordWriter);
    const budgets = gateway.gateway.app.get(BudgetService);
    await eventually(
      async () => writer.stats.spilled + budgets.ledgerBacklog.spilled,
      (left) => left === 0,
      20_000,
    );
    expect(stopped.length).toBe(150);
    await expectEachWrittenOnce(sent);
  }, 60_000);
});

function p99(entries: readonly Sent[]): number {
  const sorted = entries.map((entry) => entry.ms).sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))]);
}

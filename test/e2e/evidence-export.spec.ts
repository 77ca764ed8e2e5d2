import { randomUUID } from 'node:crypto';
import { get, IncomingMessage } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DataSource } from 'typeorm';
import { FakeOpenAiServer } from '../fakes/fake-openai.server';
import { seedBulkRecords } from '../utils/bulk-records';
import { openAiCatalog, startTestGateway, TEST_ADMIN_KEY, TestGateway } from '../utils/test-gateway';

const ROWS = 100_000;
const MB = 1024 * 1024;

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** Exports stream a batch at a time: the gateway's memory stays flat however many records match. */
describe('request record export', () => {
  let fake: FakeOpenAiServer;
  let gateway: TestGateway;
  const keyId = randomUUID();

  beforeAll(async () => {
    fake = new FakeOpenAiServer('sk-provider');
    gateway = await startTestGateway({
      catalog: openAiCatalog(await fake.start(), 'sk-provider'),
      env: { LOG_LEVEL: 'warn' },
    });
    await seedBulkRecords(gateway.gateway.app.get(DataSource), ROWS, keyId);
  }, 60_000);

  afterAll(async () => {
    await gateway?.close();
    await fake?.stop();
  });

  /**
   * Reads the whole export, counting lines and bytes. Every ~10 MB it collects garbage and samples the heap,
   * so the peak is memory really held (gateway and reader share this process), not garbage awaiting GC.
   */
  async function download(format: 'csv' | 'jsonl') {
    collectGarbage();
    const baseline = process.memoryUsage().heapUsed;
    let peak = baseline;
    let bytes = 0;
    let lines = 0;
    let head = '';
    const response = await new Promise<IncomingMessage>((resolve) =>
      get(
        `${gateway.baseUrl}/admin/requests/export?format=${format}&key_id=${keyId}`,
        { headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` } },
        resolve,
      ),
    );
    for await (const chunk of response as AsyncIterable<Buffer>) {
      if (Math.floor((bytes + chunk.length) / (10 * MB)) > Math.floor(bytes / (10 * MB))) {
        collectGarbage();
        peak = Math.max(peak, process.memoryUsage().heapUsed);
      }
      bytes += chunk.length;
      for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) lines++;
      if (head.length < 4_000) head += chunk.subarray(0, 4_000).toString();
    }
    return {
      status: response.statusCode,
      type: response.headers['content-type'],
      bytes,
      lines,
      head,
      heapGrowthMb: (peak - baseline) / MB,
    };
  }

  it.each(['csv', 'jsonl'] as const)(
    'streams %s of 100k records in constant memory',
    async (format) => {
      const result = await download(format);
      expect(result.status).toBe(200);
      expect(result.type).toContain(format === 'csv' ? 'text/csv' : 'application/x-ndjson');
      expect(result.lines).toBe(format === 'csv' ? ROWS + 1 : ROWS);
      expect(result.head).toContain('bulk-100000'); // oldest first
      expect(result.head).toContain(
        format === 'csv' ? ',/v1/chat/completions,chat,' : '"endpoint":"/v1/chat/completions","api":"chat"',
      );
      // Holding the export (or its rows) in memory would take several times its size; one batch is ~1 MB.
      expect(result.bytes).toBeGreaterThan(70 * MB);
      expect(result.heapGrowthMb).toBeLessThan(32);
      process.stdout.write(
        `export ${format}: ${(result.bytes / MB).toFixed(0)} MB, heap growth ${result.heapGrowthMb.toFixed(1)} MB\n`,
      );
    },
    120_000,
  );
});

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { FakeOpenAiServer } from '../fakes/fake-openai.server';
import { recordsOf } from '../utils/evidence';
import { openAiCatalog, startTestGateway, TestGateway } from '../utils/test-gateway';

/** What the console's pages must be served with; the browser spec checks the page obeys it. */
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

const INDEX = '<!doctype html><title>console</title><script type="module" src="/console/assets/app-1a2b.js"></script>';
const SCRIPT = `document.title = ${JSON.stringify('console '.repeat(500))};`;

/** A stand-in for `npm run build`'s output: the serving rules do not depend on what the files contain. */
function buildInto(dir: string): void {
  mkdirSync(join(dir, 'assets'), { recursive: true });
  writeFileSync(join(dir, 'index.html'), INDEX);
  writeFileSync(join(dir, 'assets', 'app-1a2b.js'), SCRIPT);
}

describe('the console is served by the gateway at /console', () => {
  let fake: FakeOpenAiServer;
  let gateway: TestGateway;
  let consoleDir: string;

  beforeAll(async () => {
    fake = new FakeOpenAiServer('sk-provider');
    consoleDir = join(mkdtempSync(join(tmpdir(), 'console-serving-')), 'console');
    gateway = await startTestGateway({
      catalog: openAiCatalog(await fake.start(), 'sk-provider'),
      env: { SWITCHYARD_CONSOLE_DIR: consoleDir, EVIDENCE_FLUSH_INTERVAL_MS: '20' },
    });
  });

  afterAll(async () => {
    await gateway?.close();
    await fake?.stop();
  });

  it('says how to build it while it is not built, then serves the build without a restart', async () => {
    const missing = await fetch(`${gateway.baseUrl}/console`);
    expect(missing.status).toBe(503);
    expect(missing.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await missing.text()).toContain('Run `npm run build`');

    buildInto(consoleDir);
    const built = await fetch(`${gateway.baseUrl}/console`);
    expect(built.status).toBe(200);
    expect(await built.text()).toBe(INDEX);
  });

  it('sends every console file without a key, with a strict CSP, nosniff, no referrer and no framing', async () => {
    buildInto(consoleDir);
    for (const path of ['/console', '/console/', '/console/requests/req.1', '/console/assets/app-1a2b.js']) {
      const response = await fetch(gateway.baseUrl + path);
      expect({ path, status: response.status }).toEqual({ path, status: 200 });
      expect(response.headers.get('content-security-policy')).toBe(CSP);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
    }
  });

  it('answers every page path with the app, and a missing script with 404, never the page', async () => {
    buildInto(consoleDir);
    const page = await fetch(`${gateway.baseUrl}/console/teams/00000000-0000-4000-8000-000000000000?x=1`);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(await page.text()).toBe(INDEX);

    const gone = await fetch(`${gateway.baseUrl}/console/assets/app-old.js`);
    expect(gone.status).toBe(404);
    expect(gone.headers.get('content-type')).toBe('text/plain; charset=utf-8');
  });

  it('caches hashed assets for good, revalidates by ETag and compresses for clients that accept gzip', async () => {
    buildInto(consoleDir);
    const url = `${gateway.baseUrl}/console/assets/app-1a2b.js`;
    const plain = await fetch(url, { headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(plain.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(await plain.text()).toBe(SCRIPT);

    // node:http rather than fetch, which would decompress the body behind the test's back.
    const { request } = await import('node:http');
    const gzipped = await new Promise<{ headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
      request(url, { headers: { 'accept-encoding': 'gzip, br' } }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ headers: response.headers, body: Buffer.concat(chunks) }));
      })
        .on('error', reject)
        .end();
    });
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gzipped.headers.vary).toBe('accept-encoding');
    expect(gunzipSync(gzipped.body).toString()).toBe(SCRIPT);

    const revalidated = await fetch(url, { headers: { 'if-none-match': plain.headers.get('etag')! } });
    expect(revalidated.status).toBe(304);
  });

  it('leaves no request evidence for console files (they are not API calls)', async () => {
    buildInto(consoleDir);
    await fetch(`${gateway.baseUrl}/console/overview`, { headers: { 'x-request-id': 'console-page-load' } });
    // Written after it, in the same or a later batch: once this record is there, the console's would be too.
    await fetch(`${gateway.baseUrl}/v1/models`, { headers: { 'x-request-id': 'api-call-after' } });
    expect(await recordsOf(gateway, 'api-call-after')).toHaveLength(1);
    const consoleRecords = await gateway.admin('GET', '/admin/requests?request_id=console-page-load');
    expect(consoleRecords.body.data).toEqual([]);
  });
});

import { createServer, request as httpRequest, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { FakeOpenAiServer } from '../fakes/fake-openai.server';
import { eventually } from '../utils/eventually';
import { recordsOf } from '../utils/evidence';
import { wireCheck } from '../utils/openai-wire';
import { openAiCatalog, startTestGateway, TestGateway } from '../utils/test-gateway';

/** `{"a":{"a":…}}` nested `depth` objects deep (the outermost included). */
const nestedObjects = (depth: number) => `${'{"a":'.repeat(depth - 1)}{}${'}'.repeat(depth - 1)}`;
/** `[[…]]` nested `depth` arrays deep. */
const nestedArrays = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

/**
 * Hostile input on the request path: bodies nested deeper than the gateway walks, oversized identifying
 * fields, admin numbers past their columns, and keys pasted where the gateway keeps or logs the value.
 */
describe('request input bounds and secrets by shape', () => {
  // Every body received is checked against OpenAI's published OpenAPI document (Messages bodies are Anthropic's).
  const wire = wireCheck();
  let fake: FakeOpenAiServer;
  let drain: DrainUpstream;
  let gateway: TestGateway;
  let caller: { key: string; id: string; projectId: string };

  beforeAll(async () => {
    fake = new FakeOpenAiServer('sk-provider');
    drain = await startDrainUpstream();
    const catalog = openAiCatalog(await fake.start(), 'sk-provider');
    gateway = await startTestGateway({
      catalog: {
        providers: [
          ...catalog.providers,
          { id: 'drain', type: 'openai', base_url: `${drain.url}/v1`, api_key: 'sk-drain' },
        ],
        models: [...catalog.models, { name: 'drain-test', deployments: [{ provider: 'drain', model: 'drain-test' }] }],
      },
      env: { EVIDENCE_FLUSH_INTERVAL_MS: '50', QUOTA_FLUSH_INTERVAL_MS: '50' },
    });
    caller = await gateway.createKey();
  });

  afterAll(async () => {
    await gateway?.close();
    await fake?.stop();
    await new Promise((resolve) => drain?.server.close(resolve));
  });

  const post = async (path: string, body: string, headers: Record<string, string> = {}) => {
    const response = await wire.fetch(gateway.baseUrl + path, {
      method: 'POST',
      headers: { authorization: `Bearer ${caller.key}`, 'content-type': 'application/json', ...headers },
      body,
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, body: JSON.parse(text) };
  };
  const chat = (extra: string) =>
    `{"model":"gpt-test","messages":[{"role":"user","content":"hi"}]${extra ? `,${extra}` : ''}}`;

  describe('nesting', () => {
    it.each([
      ['metadata', '/v1/chat/completions', chat(`"metadata":${nestedObjects(10_000)}`)],
      ['tools', '/v1/chat/completions', chat(`"tools":${nestedArrays(10_000)}`)],
      ['tools', '/v1/responses', `{"model":"gpt-test","input":"hi","tools":${nestedArrays(10_000)}}`],
    ])('a body with %s 10,000 levels deep gets a 400 on %s, in OpenAI shape', async (_field, path, body) => {
      const before = fake.requests.length;
      const response = await post(path, body);
      expect(response.status).toBe(400);
      expect(response.body.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_request_error' });
      expect(response.body.error.message).toMatch(/nested deeper than 64 levels/);
      expect(fake.requests.length).toBe(before);
    });

    it('answers the Messages API in its own error shape', async () => {
      const response = await post(
        '/v1/messages',
        `{"model":"gpt-test","max_tokens":16,"messages":[{"role":"user","content":"hi"}],"tools":${nestedArrays(10_000)}}`,
      );
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
      expect(response.body.error.message).toMatch(/nested deeper than 64 levels/);
    });

    it('serves a body nested exactly to the limit', async () => {
      // The body object, metadata, then 62 more: 64 levels in all.
      const response = await post('/v1/chat/completions', chat(`"metadata":${nestedObjects(63)}`));
      expect(response.status).toBe(200);
      const tooDeep = await post('/v1/chat/completions', chat(`"metadata":${nestedObjects(64)}`));
      expect(tooDeep.status).toBe(400);
    });

    it('logs no unexpected error for any of them', () => {
      expect(gateway.logs.filter((line) => line.includes('unexpected error'))).toEqual([]);
    });
  });

  describe('identifying fields', () => {
    it.each([
      ['model', chat('').replace('"gpt-test"', JSON.stringify('m'.repeat(10_000)))],
      ['user', chat(`"user":${JSON.stringify('u'.repeat(10_000))}`)],
    ])('a %s over 256 characters gets a 400 naming the field', async (field, body) => {
      const response = await post('/v1/chat/completions', body);
      expect(response.status).toBe(400);
      expect(response.body.error).toMatchObject({ param: field });
      expect(gateway.logs.some((line) => line.includes('m'.repeat(300)) || line.includes('u'.repeat(300)))).toBe(false);
    });
  });

  describe('large bodies', () => {
    const MiB = 1024 * 1024;
    const manyMessages = Buffer.from(
      JSON.stringify({
        model: 'drain-test',
        messages: Array.from({ length: 200_000 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `m${i}` })),
      }),
    );
    const longDocument = Buffer.from(
      JSON.stringify({
        model: 'drain-test',
        messages: [{ role: 'user', content: 'Lorem ipsum dolor sit. '.repeat(450_000) }],
      }),
    );

    it('parses and forwards 10 MB bodies without one JSON call on more than a slice', async () => {
      // The event loop stalls for as long as one synchronous JSON.parse or JSON.stringify runs (~75 ms for 200k
      // messages in one call on a 2-core machine); sliced, no call sees more than 256 Ki characters of JSON.
      const parse = jest.spyOn(JSON, 'parse');
      const stringify = jest.spyOn(JSON, 'stringify');
      let parsedMany: number | undefined, writtenMany: number | undefined, writtenLong: number | undefined;
      try {
        expect(await postBuffer(gateway.baseUrl, caller.key, manyMessages)).toBe(200);
        parsedMany = Math.max(...parse.mock.calls.map(([text]) => String(text).length));
        writtenMany = Math.max(...stringify.mock.results.map((result) => String(result.value).length));
        stringify.mockClear();
        expect(await postBuffer(gateway.baseUrl, caller.key, longDocument)).toBe(200);
        writtenLong = Math.max(...stringify.mock.results.map((result) => String(result.value).length));
      } finally {
        parse.mockRestore();
        stringify.mockRestore();
      }
      expect(Math.max(parsedMany, writtenMany, writtenLong)).toBeLessThanOrEqual(MiB);
      // The upstream got every message, in order, and the whole document.
      const [many, long] = drain.bodies.slice(-2).map((body) => JSON.parse(body));
      expect(many.messages).toHaveLength(200_000);
      expect(many.messages[199_999]).toEqual({ role: 'assistant', content: 'm199999' });
      expect(long.messages[0].content).toBe('Lorem ipsum dolor sit. '.repeat(450_000));
    });
  });

  describe('admin numbers', () => {
    let teamId: string;
    beforeAll(async () => {
      teamId = (await gateway.admin('POST', '/admin/teams', { name: 'bounds' })).body.id;
    });

    it.each([
      ['rpm', { rpm: 1e12 }],
      ['tpm', { tpm: 1e10 }],
      ['rpm', { rpm: 2_147_483_648 }],
    ])('a rate limit past the column (%s) gets a 400 naming it', async (field, body) => {
      const response = await gateway.admin('PUT', `/admin/teams/${teamId}/rate-limits`, body);
      expect(response.status).toBe(400);
      expect(response.body.error.param).toBe(field);
      expect(response.body.error.message).toMatch(/2147483647/);
    });

    it('accepts the largest rate limit the column holds', async () => {
      const response = await gateway.admin('PUT', `/admin/teams/${teamId}/rate-limits`, {
        rpm: 2_147_483_647,
        tpm: 2_147_483_647,
      });
      expect(response.status).toBe(200);
    });

    it('a budget past the largest amount gets a 400 naming it', async () => {
      const response = await gateway.admin('PUT', `/admin/teams/${teamId}/budget`, {
        limit_usd: 1e12,
        period: 'month',
      });
      expect(response.status).toBe(400);
      expect(response.body.error.param).toBe('limit_usd');
    });

    it('an allow-list past 1,000 entries or an entry past 256 characters gets a 400 naming it', async () => {
      const tooMany = await gateway.admin('PUT', `/admin/keys/${caller.id}/access`, {
        allowed_ips: Array.from({ length: 1_001 }, (_, i) => `10.0.${i >> 8}.${i & 255}`),
      });
      expect([tooMany.status, tooMany.body.error.param]).toEqual([400, 'allowed_ips']);
      const tooLong = await gateway.admin('PUT', `/admin/keys/${caller.id}/access`, { models: ['m'.repeat(257)] });
      expect([tooLong.status, tooLong.body.error.param]).toEqual([400, 'models[0]']);
    });

    it.each([
      ['/admin/audit-events?cursor=1e20', 'cursor'],
      ['/admin/audit-events?limit=1e20', 'limit'],
      ['/admin/requests?limit=99999999999', 'limit'],
    ])('%s gets a 400', async (path, param) => {
      const response = await gateway.admin('GET', path);
      expect(response.status).toBe(400);
      expect(response.body.error.param).toBe(param);
    });
  });

  describe('key-shaped values', () => {
    it('never keeps a key sent as x-request-id, model, user, tag or metadata', async () => {
      const key = caller.key;
      const pasted = await post('/v1/chat/completions', chat(`"user":"${key}","metadata":{"note":"${key}"}`), {
        'x-request-id': key,
        'x-switchyard-tags': `pasted=${key},${key}=as-a-name`,
      });
      expect(pasted.status).toBe(200);
      const replacedId = pasted.headers.get('x-request-id')!;
      expect(replacedId).toMatch(/^req_[0-9a-f]{32}$/);
      const asModel = await post('/v1/chat/completions', chat('').replace('"gpt-test"', `"${key}"`), {
        'x-request-id': `sy-prod-${'A'.repeat(38)}`,
      });
      expect(asModel.status).toBe(404);
      const modelRequestId = asModel.headers.get('x-request-id')!;
      expect(modelRequestId).toMatch(/^req_/);
      const providerShaped = await post('/v1/chat/completions', chat(''), {
        'x-request-id': 'sk-proj-Abcdefghijklmnop0123456789',
      });
      expect(providerShaped.headers.get('x-request-id')).toMatch(/^req_/);

      const [record] = await recordsOf(gateway, replacedId);
      expect(record).toMatchObject({ end_user: '[redacted]', tags: { pasted: '[redacted]' } });
      const [modelRecord] = await recordsOf(gateway, modelRequestId);
      expect(modelRecord.model_requested).toBe('[redacted]');
      const line = await eventually(
        async () =>
          gateway.logs
            .map((text) => JSON.parse(text) as { req?: { id: string }; model?: string })
            .find((entry) => entry.req?.id === modelRequestId),
        Boolean,
      );
      expect(line?.model).toBe('[redacted]');
      const ledger = await eventually(
        () => tableDump(gateway, 'ledger_entries'),
        (rows) => rows.some((row) => row.includes(replacedId)),
      );
      expect(ledger.some((row) => row.includes(replacedId))).toBe(true);

      const metrics = await (await fetch(`${gateway.baseUrl}/metrics`)).text();
      const places = {
        logs: gateway.logs.join('\n'),
        request_records: (await tableDump(gateway, 'request_records')).join('\n'),
        ledger_entries: ledger.join('\n'),
        usage_daily: (await tableDump(gateway, 'usage_daily')).join('\n'),
        metrics,
      };
      for (const [place, text] of Object.entries(places)) {
        for (const secret of [key, key.slice(12, -4), 'A'.repeat(38), 'Abcdefghijklmnop0123456789'])
          expect([place, text.includes(secret)]).toEqual([place, false]);
      }
    });
  });
});

interface DrainUpstream {
  server: Server;
  url: string;
  /** Every request body received, as text. */
  bodies: string[];
}

/** An OpenAI-compatible upstream that keeps request bodies as text and answers at once, parsing nothing. */
async function startDrainUpstream(): Promise<DrainUpstream> {
  const bodies: string[] = [];
  const completion = JSON.stringify({
    id: 'chatcmpl-drain',
    object: 'chat.completion',
    created: 0,
    model: 'drain-test',
    choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
  });
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      bodies.push(Buffer.concat(chunks).toString());
      response.setHeader('content-type', 'application/json');
      response.end(completion);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies };
}

/** POSTs a prepared body to chat completions, so the test spends nothing on encoding it. */
function postBuffer(baseUrl: string, key: string, body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      `${baseUrl}/v1/chat/completions`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'content-length': body.length },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode!));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

async function tableDump(gateway: TestGateway, table: string): Promise<string[]> {
  const client = new Client({ connectionString: gateway.database.url });
  await client.connect();
  try {
    return (await client.query(`SELECT t::text AS row FROM ${table} t`)).rows.map((row) => row.row as string);
  } finally {
    await client.end();
  }
}

import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeOpenAiServer } from '../fakes/fake-openai.server';
import { RecordedRequest, sendJson } from '../fakes/fake-http';
import { runCliInProcess } from '../utils/cli';
import { openAiCatalog, startTestGateway, TEST_ADMIN_KEY, TestGateway } from '../utils/test-gateway';

const CHECKLIST = ['base_url', 'models', 'chat', 'stream', 'bad_key', 'balance', 'rate_limit'];

/** Streams the bare upstream replays, for the stream step's faults. */
const chunk = (extra: object) =>
  JSON.stringify({ id: 'chatcmpl-raw', object: 'chat.completion.chunk', created: 1, model: 'gpt-test', ...extra });
const CHUNKS = [
  chunk({ choices: [{ index: 0, delta: { role: 'assistant', content: 'OK' }, finish_reason: null }] }),
  chunk({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }),
  chunk({ choices: [], usage: { prompt_tokens: 9, completion_tokens: 1, total_tokens: 10 } }),
];

const events = (payloads: string[]) => payloads.map((payload) => `data: ${payload}\n\n`).join('');
const NO_DONE = events(CHUNKS);
const NON_DATA_LINE = `${events(CHUNKS.slice(0, 1))}{"oops":true}\n\n${events([...CHUNKS.slice(1), '[DONE]'])}`;

/**
 * `switchyard doctor`, the launch checklist: all ✓ against the gateway with fake upstreams, exactly the
 * faulty step ✗ for each fault injected, and steps 1–5 against a bare OpenAI-compatible upstream.
 */
describe('switchyard doctor', () => {
  let upstream: FakeOpenAiWithModels;
  let gateway: TestGateway;
  let key: string;

  /** The doctor as a user runs it, the keys in environment variables; the parsed --json report. */
  async function doctor(
    baseUrl: string,
    options: { key?: string; model?: string; admin?: boolean; extra?: string[] } = {},
  ) {
    const result = await runCliInProcess(
      [
        'doctor',
        '--base-url',
        baseUrl,
        '--key-env',
        'DOCTOR_KEY',
        '--model',
        options.model ?? 'gpt-test',
        ...(options.admin === false ? [] : ['--admin-key-env', 'DOCTOR_ADMIN_KEY']),
        ...(options.extra ?? []),
        '--json',
      ],
      { DOCTOR_KEY: options.key ?? key, DOCTOR_ADMIN_KEY: TEST_ADMIN_KEY },
    );
    const report = JSON.parse(result.stdout);
    return { code: result.code, report, status: statusByStep(report) };
  }

  const statusByStep = (report: any): Record<string, string> =>
    Object.fromEntries(report.steps.map((step: any) => [step.name, step.status]));
  const step = (report: any, name: string) => report.steps.find((entry: any) => entry.name === name);
  /** Every step passes except `failing`. */
  const allPassBut = (failing?: string) =>
    Object.fromEntries(CHECKLIST.map((name) => [name, name === failing ? 'fail' : 'pass']));

  beforeAll(async () => {
    upstream = new FakeOpenAiWithModels('sk-provider');
    gateway = await startTestGateway({
      catalog: openAiCatalog(await upstream.start(), 'sk-provider', [
        {
          name: 'gpt-test',
          // A budget only limits a priced model.
          pricing: { input_per_mtok: 1, output_per_mtok: 2 },
          deployments: [{ provider: 'openai', model: 'gpt-test' }],
        },
      ]),
      env: { LOG_LEVEL: 'warn' },
    });
    key = (await gateway.createKey()).key;
  });

  afterAll(async () => {
    await gateway?.close();
    await upstream?.stop();
  });

  describe('against the gateway with fake upstreams', () => {
    it('passes every step, with the evidence fields support needs, and revokes its throw-away keys', async () => {
      // An upstream slow enough for the timeout check's client timeout (a quarter of the chat's latency) to fire.
      upstream.defaultReply = { headersDelayMs: 200 };
      const { code, report } = await doctor(`${gateway.baseUrl}/v1`, { extra: ['--timeout-check'] }).finally(() => {
        upstream.defaultReply = {};
      });
      expect(report.steps.map((entry: any) => [entry.name, entry.status, entry.detail])).toEqual(
        [...CHECKLIST, 'timeout'].map((name) => [name, 'pass', expect.any(String)]),
      );
      expect({ code, ok: report.ok }).toEqual({ code: 0, ok: true });

      expect(step(report, 'chat').evidence).toEqual({
        status: 200,
        model: 'gpt-test-2025-04-14',
        deployment: 'openai/gpt-test',
        attempts: 1,
        request_type: 'chat.completions',
        latency_ms: expect.any(Number),
        key: expect.stringMatching(/^sy-test-\w{4}…\w{4}$/),
        request_id: expect.stringMatching(/^doctor-[0-9a-f]{8}-chat$/),
        usage: {
          prompt_tokens: expect.any(Number),
          completion_tokens: expect.any(Number),
          total_tokens: expect.any(Number),
        },
      });
      expect(step(report, 'stream').evidence).toMatchObject({
        status: 200,
        first_chunk_ms: expect.any(Number),
        ended_with_done: true,
        usage: expect.objectContaining({ prompt_tokens: expect.any(Number) }),
      });
      expect(step(report, 'bad_key').evidence).toMatchObject({
        status: 401,
        error_type: 'invalid_request_error',
        error: expect.stringContaining('"error"'),
      });
      expect(step(report, 'balance').evidence).toMatchObject({
        status: 402,
        error_code: 'insufficient_quota',
        x_should_retry: 'false',
        error: expect.stringContaining('budget'),
        records: [{ status: 402, error_code: 'insufficient_quota', masked_key: expect.stringMatching(/…/) }],
      });
      expect(step(report, 'rate_limit').evidence).toMatchObject({
        first_status: 200,
        status: 429,
        error_code: 'rate_limit_exceeded',
        retry_after: expect.stringMatching(/^\d+$/),
        records: [{ status: 200 }, { status: 429, error_code: 'rate_limit_exceeded' }],
      });
      expect(step(report, 'timeout').detail).toMatch(
        /^a \d+ ms client timeout surfaced as TimeoutError: .* after \d+ ms; the gateway recorded status 499 \(client went away\)$/,
      );

      // No key is ever printed whole, and the throw-away ones are revoked.
      expect(JSON.stringify(report)).not.toContain(key);
      const projects = (await gateway.admin('GET', '/admin/projects')).body.data.filter((project: any) =>
        project.name.startsWith('doctor-'),
      );
      const keys = (await gateway.admin('GET', `/admin/keys?project_id=${projects[0].id}`)).body.data;
      expect(keys.map((entry: any) => [entry.name, entry.revoked_at !== null])).toEqual(
        expect.arrayContaining([
          ['doctor balance', true],
          ['doctor rate limit', true],
        ]),
      );
    });

    it('prints a checklist with ✓ and the evidence under each step', async () => {
      const result = await runCliInProcess(
        ['doctor', '--base-url', `${gateway.baseUrl}/v1`, '--key-env', 'DOCTOR_KEY', '--model', 'gpt-test'],
        { DOCTOR_KEY: key },
      );
      expect(result.code).toBe(0);
      const lines = result.stdout.split('\n');
      expect(lines[0]).toMatch(
        /^switchyard doctor: http:\/\/127\.0\.0\.1:\d+\/v1 · model gpt-test · key sy-test-\w{4}…\w{4} \(\$DOCTOR_KEY\)$/,
      );
      expect(lines.filter((line) => /^[✓✗–] /.test(line)).map((line) => line.slice(0, 14).trimEnd())).toEqual([
        '✓ base_url',
        '✓ models',
        '✓ chat',
        '✓ stream',
        '✓ bad_key',
        '– balance',
        '– rate_limit',
      ]);
      expect(result.stdout).toMatch(/\n {16}status: 200 · model: gpt-test-2025-04-14 · deployment: openai\/gpt-test/);
      expect(result.stdout).toContain('– balance      skipped: no admin key: pass --admin-key-env');
      expect(result.stdout).toMatch(/\n5 passed, 0 failed, 2 skipped\n$/);
      expect(result.stdout).not.toContain(key);
    });

    it('names the base URL mistakes and the close model names', async () => {
      const root = await doctor(gateway.baseUrl);
      expect(step(root.report, 'base_url')).toMatchObject({
        status: 'fail',
        detail: `this is the site root: the API lives under /v1 — use ${gateway.baseUrl}/v1`,
      });
      expect(root.code).toBe(1);
      expect(step((await doctor(`${gateway.baseUrl}/v1/v1`)).report, 'base_url').detail).toBe(
        `/v1 appears twice — use ${gateway.baseUrl}/v1`,
      );
      expect(step((await doctor(`${gateway.baseUrl}/v1/chat/completions`)).report, 'base_url').detail).toBe(
        `a full endpoint was given as the base URL (SDKs append /chat/completions themselves) — use ${gateway.baseUrl}/v1`,
      );
      const typo = await doctor(`${gateway.baseUrl}/v1`, { model: 'gpt-tset', admin: false });
      expect(step(typo.report, 'models')).toMatchObject({
        status: 'fail',
        detail: 'gpt-tset is not listed; close: gpt-test (1 models listed)',
      });
    });

    it('refuses to start without the key variable (exit 2)', async () => {
      const result = await runCliInProcess(
        ['doctor', '--base-url', `${gateway.baseUrl}/v1`, '--key-env', 'NOT_SET_ANYWHERE', '--model', 'gpt-test'],
        {},
      );
      expect(result).toEqual({
        code: 2,
        stdout: '',
        stderr: 'error: --key-env: the environment variable NOT_SET_ANYWHERE is not set\n',
      });
    });
  });

  describe('against a misbehaving gateway: exactly the faulty step fails', () => {
    it.each([
      ['a wrong key is served (200)', 'served-wrong-key', 'bad_key', /a wrong key was served \(200\)/],
      ['the error echoes the key', 'echo-key', 'bad_key', /the error echoes the key/],
      ['no 402 on an exhausted budget', 'no-402', 'balance', /a request over its budget was served \(200\)/],
      ['429 without retry-after', 'no-retry-after', 'rate_limit', /429 without retry-after/],
    ] as const)('%s', async (_title, fault, failing, detail) => {
      const proxy = await misbehavingGateway(gateway.baseUrl, fault);
      try {
        const { code, report, status } = await doctor(`${proxy.url}/v1`);
        expect(status).toEqual(allPassBut(failing));
        expect(step(report, failing).detail).toMatch(detail);
        expect({ code, ok: report.ok }).toEqual({ code: 1, ok: false });
        expect(JSON.stringify(report)).not.toContain(key);
      } finally {
        await proxy.close();
      }
    });
  });

  describe('against a bare OpenAI-compatible upstream (not a Switchyard)', () => {
    afterEach(() => {
      upstream.defaultReply = {};
    });

    it('passes steps 1–5 and skips balance and rate limit', async () => {
      const { code, report, status } = await doctor(`${upstream.url}/v1`, { key: 'sk-provider' });
      expect(status).toEqual({ ...allPassBut(), balance: 'skip', rate_limit: 'skip' });
      expect(step(report, 'balance').detail).toBe(
        'not a Switchyard (no x-switchyard-* headers): budgets and rate limits are not checked',
      );
      expect({ code, ok: report.ok }).toEqual({ code: 0, ok: true });
    });

    it.each([
      ['a stream without data: [DONE]', NO_DONE, 'the stream did not end with data: [DONE]'],
      ['a line that is not data:', NON_DATA_LINE, 'line 3 is not a "data:" line: "{\\"oops\\":true}"'],
    ])('%s fails the stream step only', async (_title, rawEvents, detail) => {
      upstream.defaultReply = { rawEvents };
      const { code, report, status } = await doctor(`${upstream.url}/v1`, { key: 'sk-provider' });
      expect(status).toEqual({ ...allPassBut('stream'), balance: 'skip', rate_limit: 'skip' });
      expect(step(report, 'stream').detail).toBe(detail);
      expect(code).toBe(1);
    });
  });
});

/** The fake upstream plus `GET /v1/models`, as every OpenAI-compatible server has it. */
class FakeOpenAiWithModels extends FakeOpenAiServer {
  url = '';

  override async start(): Promise<string> {
    this.url = await super.start();
    return this.url;
  }

  protected override async handle(request: RecordedRequest, res: ServerResponse): Promise<void> {
    if (request.url.split('?')[0] === '/v1/models' && request.headers.authorization === `Bearer ${this.apiKey}`) {
      return sendJson(res, 200, {
        object: 'list',
        data: [{ id: 'gpt-test', object: 'model', created: 0, owned_by: 'fake' }],
      });
    }
    return super.handle(request, res);
  }
}

type Fault = 'served-wrong-key' | 'echo-key' | 'no-402' | 'no-retry-after';

const CANNED_COMPLETION = {
  id: 'chatcmpl-proxy',
  object: 'chat.completion',
  created: 1,
  model: 'gpt-test',
  choices: [{ index: 0, message: { role: 'assistant', content: 'OK' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 9, completion_tokens: 1, total_tokens: 10 },
};

/**
 * A gateway that gets one thing wrong: a proxy in front of the real one that rewrites exactly the answers a
 * fault concerns (401, 402 or 429) and passes everything else through, streams included.
 */
async function misbehavingGateway(target: string, fault: Fault): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => void relay(req, res));
  async function relay(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const piece of req) chunks.push(piece as Buffer);
    const headers: Record<string, string> = {};
    for (const name of ['authorization', 'content-type', 'x-request-id']) {
      if (typeof req.headers[name] === 'string') headers[name] = req.headers[name];
    }
    const answer = await fetch(target + req.url, {
      method: req.method,
      headers,
      body: chunks.length ? Buffer.concat(chunks) : undefined,
    });
    const out = Object.fromEntries(answer.headers);
    delete out['content-length'];
    delete out['transfer-encoding'];
    if ((answer.status === 401 && fault === 'served-wrong-key') || (answer.status === 402 && fault === 'no-402')) {
      return sendJson(res, 200, CANNED_COMPLETION);
    }
    if (answer.status === 401 && fault === 'echo-key') {
      const body = (await answer.json()) as { error: { message: string } };
      body.error.message += ` (you sent ${headers.authorization.replace('Bearer ', '')})`;
      return sendJson(res, 401, body);
    }
    if (answer.status === 429 && fault === 'no-retry-after') {
      delete out['retry-after'];
      delete out['retry-after-ms'];
    }
    res.writeHead(answer.status, out);
    for await (const piece of answer.body ?? []) res.write(piece);
    res.end();
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

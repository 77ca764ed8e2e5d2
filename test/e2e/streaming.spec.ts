import OpenAI from 'openai';
import { FakeOpenAiServer } from '../fakes/fake-openai.server';
import { wireCheck } from '../utils/openai-wire';
import { openAiCatalog, startTestGateway, TestGateway } from '../utils/test-gateway';

describe('streaming through the gateway', () => {
  let fake: FakeOpenAiServer;
  let gateway: TestGateway;
  let key: string;
  // Every body and stream event received is checked against OpenAI's published OpenAPI document.
  const wire = wireCheck();

  beforeAll(async () => {
    fake = new FakeOpenAiServer('sk-provider');
    gateway = await startTestGateway({
      catalog: openAiCatalog(await fake.start(), 'sk-provider', [
        // One upstream call per request: a failure before the first chunk would otherwise be retried.
        {
          name: 'gpt-test',
          deployments: [{ provider: 'openai', model: 'gpt-test' }],
          timeouts: { idle_ms: 400 },
          retry: { max_attempts: 1 },
        },
      ]),
    });
    key = (await gateway.createKey()).key;
  });

  afterAll(async () => {
    await gateway?.close();
    await fake?.stop();
  });

  const open = (body: object = {}, signal?: AbortSignal) =>
    wire.fetch(`${gateway.baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'gpt-test',
        stream: true,
        messages: [{ role: 'user', content: 'a long enough message' }],
        ...body,
      }),
      signal,
    });

  async function readAll(response: Response): Promise<string> {
    return await response.text();
  }

  it('sends SSE headers and forwards each chunk as it arrives, ending with [DONE]', async () => {
    fake.script({ eventDelayMs: 150 });
    const started = Date.now();
    const response = await open();
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    expect(response.headers.get('x-request-id')).toBeTruthy();
    const reader = response.body!.getReader();
    const first = await reader.read();
    const firstAt = Date.now() - started;
    let rest = '';
    for (let next = await reader.read(); !next.done; next = await reader.read())
      rest += Buffer.from(next.value).toString();
    const totalAt = Date.now() - started;
    expect(Buffer.from(first.value).toString()).toMatch(/^data: \{/);
    // Six events 150 ms apart: a buffering proxy would deliver the first one only at the end.
    expect(totalAt - firstAt).toBeGreaterThan(450);
    expect(rest.trimEnd().endsWith('data: [DONE]')).toBe(true);
  });

  it('reassembles identically when the upstream splits SSE lines across TCP writes', async () => {
    const whole = await readAll(await open());
    fake.script({ splitBytes: 7 });
    const split = await readAll(await open());
    const contents = (text: string) =>
      text
        .split('\n\n')
        .filter((event) => event.startsWith('data: {'))
        .map((event) => JSON.parse(event.slice(6)).choices[0]?.delta.content ?? '')
        .join('');
    expect(contents(split)).toBe(contents(whole));
    expect(split.trimEnd().endsWith('data: [DONE]')).toBe(true);
  });

  it('ends with an OpenAI error event, never [DONE], when the upstream fails mid-stream', async () => {
    fake.script({ errorAfterEvents: 3 });
    const client = new OpenAI({ apiKey: key, baseURL: `${gateway.baseUrl}/v1`, maxRetries: 0, fetch: wire.fetch });
    const stream = await client.chat.completions.create({
      model: 'gpt-test',
      stream: true,
      messages: [{ role: 'user', content: 'hello world again' }],
    });
    const received: string[] = [];
    const failure = await (async () => {
      for await (const chunk of stream) received.push(chunk.choices[0]?.delta.content ?? '');
    })().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAI.APIError);
    expect((failure as Error).message).toContain('failed mid-stream');
    expect(received.join('')).not.toBe('');
  });

  it('ends with an error event when the upstream connection drops before the stream finished', async () => {
    fake.script({ cutAfterEvents: 3 });
    const text = await readAll(await open());
    expect(text).not.toContain('[DONE]');
    const last = JSON.parse(text.trim().split('\n\n').at(-1)!.slice(6));
    expect(last.error).toMatchObject({ type: 'upstream_error', code: 'upstream_connection_error' });
  });

  it('ends with an upstream_timeout error event when the upstream goes silent past idle_ms', async () => {
    fake.script({ stallAfterEvents: 3 });
    const text = await readAll(await open());
    expect(text).not.toContain('[DONE]');
    const last = JSON.parse(text.trim().split('\n\n').at(-1)!.slice(6));
    expect(last.error.code).toBe('upstream_timeout');
  });

  it('answers an upstream failure before the first chunk with a plain HTTP error', async () => {
    fake.script({ status: 503 });
    const response = await open();
    expect(response.status).toBe(503);
    expect(((await response.json()) as any).error.code).toBe('upstream_unavailable');
  });

  it('closes the upstream connection within a second when the client aborts', async () => {
    fake.script({ eventDelayMs: 200 });
    const aborts = fake.clientAborts.length;
    const controller = new AbortController();
    const response = await open({}, controller.signal);
    const reader = response.body!.getReader();
    await reader.read();
    const abortedAt = Date.now();
    controller.abort();
    const deadline = abortedAt + 1_000;
    while (fake.clientAborts.length === aborts && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(fake.clientAborts.length).toBe(aborts + 1);
    expect(fake.clientAborts.at(-1)! - abortedAt).toBeLessThan(1_000);
  });
});

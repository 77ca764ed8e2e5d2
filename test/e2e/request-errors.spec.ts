import { FakeOpenAiServer } from '../fakes/fake-openai.server';
import { wireCheck } from '../utils/openai-wire';
import { openAiCatalog, startTestGateway, TestGateway } from '../utils/test-gateway';

describe('bad requests get OpenAI-shaped errors that say what to fix', () => {
  let fake: FakeOpenAiServer;
  let gateway: TestGateway;
  let key: string;
  // Every body received is checked against OpenAI's published OpenAPI document.
  const wire = wireCheck();

  beforeAll(async () => {
    fake = new FakeOpenAiServer('sk-provider');
    gateway = await startTestGateway({
      catalog: openAiCatalog(await fake.start(), 'sk-provider'),
      env: { BODY_LIMIT_BYTES: '4096' },
    });
    key = (await gateway.createKey()).key;
  });

  afterAll(async () => {
    await gateway?.close();
    await fake?.stop();
  });

  const send = async (
    path: string,
    init: { method?: string; body?: string; headers?: Record<string, string> } = {},
  ) => {
    const response = await wire.fetch(gateway.baseUrl + path, {
      method: init.method ?? 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...init.headers },
      body: init.body,
    });
    return { status: response.status, headers: response.headers, body: (await response.json()) as any };
  };

  it.each([
    ['not JSON', '{"model": ', null],
    ['not an object', '[1,2]', null],
    ['no model', '{"messages":[{"role":"user","content":"hi"}]}', 'model'],
    ['no messages', '{"model":"gpt-test"}', 'messages'],
    ['empty messages', '{"model":"gpt-test","messages":[]}', 'messages'],
    ['a message without a role', '{"model":"gpt-test","messages":[{"content":"hi"}]}', 'messages[0].role'],
    [
      'stream_options without stream',
      '{"model":"gpt-test","messages":[{"role":"user","content":"hi"}],"stream_options":{"include_usage":true}}',
      'stream_options',
    ],
  ])('400 for a body that is %s', async (_case, body, param) => {
    const response = await send('/v1/chat/completions', { body });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      error: { message: expect.any(String), type: 'invalid_request_error', param, code: 'invalid_request_error' },
    });
    expect(response.headers.get('x-request-id')).toBeTruthy();
  });

  it('413 for a body over the limit, and nothing reaches the upstream', async () => {
    const before = fake.requests.length;
    const response = await send('/v1/chat/completions', {
      body: JSON.stringify({ model: 'gpt-test', messages: [{ role: 'user', content: 'x'.repeat(10_000) }] }),
    });
    expect(response.status).toBe(413);
    expect(response.body.error.code).toBe('request_too_large');
    expect(fake.requests.length).toBe(before);
  });

  it('accepts a JSON body sent with curl -d default form encoding', async () => {
    const response = await send('/v1/chat/completions', {
      body: JSON.stringify({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] }),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(response.status).toBe(200);
  });

  it('keeps a sane caller x-request-id and replaces one that is not', async () => {
    const body = JSON.stringify({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] });
    const kept = await send('/v1/chat/completions', { body, headers: { 'x-request-id': 'checkout-7f3a:42' } });
    expect(kept.headers.get('x-request-id')).toBe('checkout-7f3a:42');
    const replaced = await send('/v1/chat/completions', { body, headers: { 'x-request-id': 'bad id with spaces' } });
    expect(replaced.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{32}$/);
    const line = gateway.logs.map((l) => JSON.parse(l)).find((l) => l.req?.id === 'checkout-7f3a:42');
    expect(line).toMatchObject({
      res: { statusCode: 200 },
      model: 'gpt-test',
      served_model: 'gpt-test',
      key_id: expect.any(String),
    });
    expect(line.responseTime).toEqual(expect.any(Number));
  });

  it('404 model_not_found tells where to look', async () => {
    const response = await send('/v1/chat/completions', {
      body: JSON.stringify({ model: 'gtp-4', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(response.status).toBe(404);
    expect(response.body.error).toMatchObject({ code: 'model_not_found', param: 'model' });
    expect(response.body.error.message).toContain('GET /v1/models');
  });

  it.each([
    ['/chat/completions', 'POST', 404, 'missing /v1'],
    ['/v1/v1/chat/completions', 'POST', 404, '/v1 twice'],
    ['/v1/chat/completions/chat/completions', 'POST', 404, 'full endpoint path'],
    ['/v1/chat/completions', 'GET', 405, 'wrong method'],
  ])('explains the base-URL mistake %s (%s)', async (path, method, status) => {
    const response = await send(path, { method, body: method === 'POST' ? '{}' : undefined });
    expect(response.status).toBe(status);
    expect(response.body.error.type).toBe('invalid_request_error');
    if (status === 404)
      expect(response.body.error.message).toContain(`Set the SDK's base_url to ${gateway.baseUrl}/v1`);
    else expect(response.body.error.message).toContain('use POST');
  });

  it.each([
    ['/v1/v1/messages', '/v1/messages'],
    ['/v1/v1/messages/count_tokens', '/v1/messages/count_tokens'],
  ])('tells an Anthropic SDK whose base URL ends in /v1 (%s) to use the site root', async (path, appended) => {
    const response = await send(`${path}?beta=true`, { body: '{}' });
    expect(response.status).toBe(404);
    expect(response.body.error.message).toContain(
      `Set the Anthropic SDK's base URL (ANTHROPIC_BASE_URL) to ${gateway.baseUrl} (the SDK appends ${appended} itself)`,
    );
  });
});

import OpenAI from 'openai';
import { Clock } from '@app/common';
import { FakeOpenAiServer } from '../fakes/fake-openai.server';
import { wireCheck } from '../utils/openai-wire';
import { startTestGateway, TestGateway } from '../utils/test-gateway';

const PROVIDER_KEY = 'sk-access-provider';

// Every /v1 body received (403s included) is checked against OpenAI's published OpenAPI document.
const wire = wireCheck();

describe('access: model, tier and IP allow-lists, key expiry', () => {
  let fake: FakeOpenAiServer;
  let proxied: TestGateway;
  let direct: TestGateway;

  beforeAll(async () => {
    fake = new FakeOpenAiServer(PROVIDER_KEY);
    const upstream = await fake.start();
    const deployment = (model: string) => [{ provider: 'openai', model }];
    const catalog = {
      providers: [{ id: 'openai', type: 'openai', base_url: `${upstream}/v1`, api_key: PROVIDER_KEY }],
      models: [
        { name: 'cheap', tier: 'economy', deployments: deployment('cheap') },
        { name: 'premium', aliases: ['best'], tier: 'premium', deployments: deployment('premium') },
        { name: 'plain', deployments: deployment('plain') },
      ],
    };
    // Behind a proxy on loopback: X-Forwarded-For names the client. Without TRUST_PROXY it is ignored.
    proxied = await startTestGateway({ catalog, env: { TRUST_PROXY: 'loopback' } });
    direct = await startTestGateway({ catalog, database: proxied.database });
  });

  afterAll(async () => {
    await direct?.close();
    await proxied?.close();
    await fake?.stop();
  });

  const sdk = (gateway: TestGateway, key: string) =>
    new OpenAI({ apiKey: key, baseURL: `${gateway.baseUrl}/v1`, maxRetries: 0, fetch: wire.fetch });
  const listed = async (gateway: TestGateway, key: string) => {
    const ids = [];
    for await (const model of sdk(gateway, key).models.list()) ids.push(model.id);
    return ids.sort();
  };
  const chat = (gateway: TestGateway, key: string, model: string, headers: Record<string, string> = {}) =>
    wire.fetch(`${gateway.baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
    });
  const errorOf = async (response: Response) => ({
    status: response.status,
    ...((await response.json()) as any).error,
  });

  it('applies a project model allow-list on top of the key’s, in /v1/models too', async () => {
    const { key, projectId } = await proxied.createKey({ models: ['cheap', 'plain'] });
    const project = await proxied.admin('PUT', `/admin/projects/${projectId}/access`, { models: ['cheap', 'premium'] });
    expect(project.body).toMatchObject({ id: projectId, models: ['cheap', 'premium'], tiers: null });
    expect(await listed(proxied, key)).toEqual(['cheap']);
    expect((await chat(proxied, key, 'cheap')).status).toBe(200);
    expect(await errorOf(await chat(proxied, key, 'plain'))).toMatchObject({
      status: 403,
      code: 'model_not_allowed',
      message: 'Your project is not allowed to use the model "plain".',
    });
    expect(await errorOf(await chat(proxied, key, 'best'))).toMatchObject({
      status: 403,
      message: 'Your key is not allowed to use the model "best".',
    });
  });

  it('applies key and project tier allow-lists; a model without a tier passes no tier list', async () => {
    const { key, id, projectId } = await proxied.createKey();
    expect(
      (await proxied.admin('PUT', `/admin/keys/${id}/access`, { tiers: ['economy', 'premium'] })).body.tiers,
    ).toEqual(['economy', 'premium']);
    expect(await listed(proxied, key)).toEqual(['best', 'cheap', 'premium']);
    await proxied.admin('PUT', `/admin/projects/${projectId}/access`, { tiers: ['premium'] });
    expect(await listed(proxied, key)).toEqual(['best', 'premium']);
    expect(
      (await sdk(proxied, key).chat.completions.create({ model: 'best', messages: [{ role: 'user', content: 'hi' }] }))
        .model,
    ).toContain('premium');
    const refused = await sdk(proxied, key)
      .models.retrieve('cheap')
      .catch((e) => e);
    expect(refused).toMatchObject({ status: 403, code: 'model_not_allowed' });
    expect(refused.message).toContain('its tier "economy" is not among the project\'s tiers');
    expect(await errorOf(await chat(proxied, key, 'plain'))).toMatchObject({
      status: 403,
      message: expect.stringContaining('it has no tier'),
    });
  });

  it('restricts a key to its networks, reading the client IP per TRUST_PROXY, on every instance within 5 s', async () => {
    const { key, id } = await proxied.createKey();
    expect((await chat(direct, key, 'cheap')).status).toBe(200); // now cached on the other instance too
    const set = await proxied.admin('PUT', `/admin/keys/${id}/access`, {
      allowed_ips: ['10.1.0.0/16', '2001:db8::/32'],
    });
    expect(set.body.allowed_ips).toEqual(['10.1.0.0/16', '2001:db8::/32']);

    expect((await chat(proxied, key, 'cheap', { 'x-forwarded-for': '10.1.2.3' })).status).toBe(200);
    expect((await chat(proxied, key, 'cheap', { 'x-forwarded-for': '2001:db8::7' })).status).toBe(200);
    expect(await errorOf(await chat(proxied, key, 'cheap', { 'x-forwarded-for': '10.2.0.1' }))).toMatchObject({
      status: 403,
      code: 'permission_denied',
      message: expect.stringContaining('this request came from 10.2.0.1'),
    });
    expect((await chat(proxied, key, 'cheap')).status).toBe(403);

    // The other instance trusts no proxy: the header cannot smuggle an allowed address in. Its cached
    // lookup of the key expires within AUTH_CACHE_TTL_MS (5 s).
    const deadline = Date.now() + 6_000;
    let status = 200;
    while (status === 200 && Date.now() < deadline) {
      status = (await chat(direct, key, 'cheap', { 'x-forwarded-for': '10.1.2.3' })).status;
      if (status === 200) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toBe(403);
  });

  it('refuses an expired key like an unknown one', async () => {
    const { key } = await proxied.createKey({ expires_at: new Date(Date.now() + 60_000).toISOString() });
    expect((await chat(proxied, key, 'cheap')).status).toBe(200);
    const clock = jest.spyOn(proxied.gateway.app.get(Clock), 'now').mockReturnValue(new Date(Date.now() + 120_000));
    try {
      expect(await errorOf(await chat(proxied, key, 'cheap'))).toMatchObject({ status: 401, code: 'invalid_api_key' });
    } finally {
      clock.mockRestore();
    }
  });

  it('validates allow-lists against the catalog and IP syntax, strictly, and 404s unknown ids', async () => {
    const { id, projectId } = await proxied.createKey();
    const put = (path: string, body: unknown) => proxied.admin('PUT', path, body);
    expect((await put(`/admin/keys/${id}/access`, { models: ['gpt-9'] })).body.error).toMatchObject({
      param: 'models',
      message: 'models: unknown model "gpt-9"',
    });
    expect((await put(`/admin/keys/${id}/access`, { tiers: ['gold'] })).body.error.message).toBe(
      'tiers: unknown tier "gold" (catalog tiers: economy, premium)',
    );
    expect((await put(`/admin/keys/${id}/access`, { allowed_ips: ['10.0.0.0/33'] })).body.error.param).toBe(
      'allowed_ips',
    );
    expect((await put(`/admin/projects/${projectId}/access`, { allowed_ips: ['10.0.0.0/8'] })).body.error.param).toBe(
      'allowed_ips',
    );
    expect((await put(`/admin/keys/${id}/access`, { models: [] })).body.error.param).toBe('models');
    expect((await put('/admin/keys/00000000-0000-4000-8000-000000000000/access', {})).status).toBe(404);
    const created = await proxied.admin('POST', '/admin/keys', {
      project_id: projectId,
      name: 'k',
      environment: 'test',
      tiers: ['economy'],
      allowed_ips: ['192.0.2.1'],
    });
    expect(created.body).toMatchObject({ tiers: ['economy'], allowed_ips: ['192.0.2.1'] });
  });
});

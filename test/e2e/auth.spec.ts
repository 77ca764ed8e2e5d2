import { DataSource } from 'typeorm';
import { AuditTrail } from '@app/audit';
import { Clock } from '@app/common';
import { FakeOpenAiServer } from '../fakes/fake-openai.server';
import { wireCheck } from '../utils/openai-wire';
import { openAiCatalog, startTestGateway, TEST_ADMIN_KEY, TestGateway } from '../utils/test-gateway';

describe('gateway keys and the admin key', () => {
  // Every /v1 body received (the 401s included) is checked against OpenAI's published OpenAPI document.
  const wire = wireCheck();
  let fake: FakeOpenAiServer;
  let gateway: TestGateway;

  beforeAll(async () => {
    fake = new FakeOpenAiServer('sk-provider');
    gateway = await startTestGateway({
      catalog: openAiCatalog(await fake.start(), 'sk-provider'),
      env: { AUTH_LAST_USED_FLUSH_MS: '200' },
    });
  });

  afterAll(async () => {
    await gateway?.close();
    await fake?.stop();
  });

  const chat = (headers: Record<string, string>) =>
    wire.fetch(`${gateway.baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] }),
    });
  const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

  it('issues keys whose prefix names the environment, returns them once and stores only a hash', async () => {
    const production = await gateway.createKey({ environment: 'production' });
    const staging = await gateway.createKey({ environment: 'staging' });
    expect(production.key).toMatch(/^sy-prod-[0-9A-Za-z]{38}$/);
    expect(staging.key).toMatch(/^sy-stg-/);
    const listed = await gateway.admin('GET', `/admin/keys?project_id=${production.projectId}`);
    expect(listed.body.data).toHaveLength(1);
    expect(JSON.stringify(listed.body)).not.toContain(production.key);
    expect(listed.body.data[0].masked_key).toBe(`${production.key.slice(0, 12)}…${production.key.slice(-4)}`);
    const rows = await gateway.gateway.app.get(DataSource).query('SELECT * FROM api_keys');
    expect(JSON.stringify(rows)).not.toContain(production.key);
    expect(JSON.stringify(rows)).not.toContain(production.key.slice(12, -4));
  });

  it('accepts the key as Authorization: Bearer, x-api-key or api-key', async () => {
    const { key } = await gateway.createKey();
    for (const headers of [bearer(key), { 'x-api-key': key }, { 'api-key': key }] as Array<Record<string, string>>) {
      expect((await chat(headers)).status).toBe(200);
    }
  });

  it('answers missing, malformed, unknown, revoked and expired keys with one identical 401', async () => {
    const revoked = await gateway.createKey();
    expect((await chat(bearer(revoked.key))).status).toBe(200);
    expect((await gateway.admin('POST', `/admin/keys/${revoked.id}/revoke`)).status).toBe(200);

    const expiring = await gateway.createKey({ expires_at: new Date(Date.now() + 60_000).toISOString() });
    expect((await chat(bearer(expiring.key))).status).toBe(200);
    const clock = gateway.gateway.app.get(Clock);
    const later = new Date(Date.now() + 120_000);
    const now = jest.spyOn(clock, 'now').mockReturnValue(later);

    // Well-formed (valid checksum) but unknown: its row is gone before it was ever used.
    const unknown = await gateway.createKey();
    await gateway.gateway.app.get(DataSource).query('DELETE FROM api_keys WHERE id = $1', [unknown.id]);
    const responses = await Promise.all([
      chat({}),
      chat(bearer('sy-test-not-a-real-key')),
      chat(bearer(unknown.key)),
      chat(bearer(revoked.key)),
      chat(bearer(expiring.key)),
    ]);
    now.mockRestore();
    const bodies = await Promise.all(responses.map((response) => response.text()));
    expect(responses.map((response) => response.status)).toEqual([401, 401, 401, 401, 401]);
    expect(new Set(bodies).size).toBe(1);
    expect(JSON.parse(bodies[0])).toEqual({
      error: { message: expect.any(String), type: 'invalid_request_error', param: null, code: 'invalid_api_key' },
    });
  });

  it('forgets a revoked key once the revocation commits: a request while it is still open cannot keep it alive', async () => {
    const { key, id } = await gateway.createKey();
    expect((await chat(bearer(key))).status).toBe(200);
    // Hold the revocation's transaction open at its audit event; a request meanwhile still reads the key as valid.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let reachedAudit!: () => void;
    const atAudit = new Promise<void>((resolve) => (reachedAudit = resolve));
    // Called below with the trail as `this` (apply), as the real call would be.
    // eslint-disable-next-line @typescript-eslint/unbound-method
    const append = AuditTrail.prototype.append;
    const spy = jest.spyOn(AuditTrail.prototype, 'append').mockImplementationOnce(async function (
      this: AuditTrail,
      ...args: Parameters<AuditTrail['append']>
    ) {
      reachedAudit();
      await held;
      return append.apply(this, args);
    });
    try {
      const revoking = gateway.admin('POST', `/admin/keys/${id}/revoke`);
      await atAudit;
      expect((await chat(bearer(key))).status).toBe(200);
      release();
      expect((await revoking).status).toBe(200);
      expect((await chat(bearer(key))).status).toBe(401);
    } finally {
      spy.mockRestore();
    }
  });

  it('records last_used_at in batches rather than with a write per request', async () => {
    const { key, projectId } = await gateway.createKey();
    const lastUsed = async () =>
      (await gateway.admin('GET', `/admin/keys?project_id=${projectId}`)).body.data[0].last_used_at;
    expect(await lastUsed()).toBeNull();
    await Promise.all(Array.from({ length: 5 }, () => chat(bearer(key))));
    const deadline = Date.now() + 3_000;
    while ((await lastUsed()) === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(Date.parse(await lastUsed())).toBeGreaterThan(Date.now() - 10_000);
  });

  it('keeps the admin API and /v1 apart', async () => {
    const { key } = await gateway.createKey();
    const asGateway = await fetch(`${gateway.baseUrl}/admin/teams`, { headers: bearer(key) });
    expect(asGateway.status).toBe(403);
    expect(((await asGateway.json()) as any).error.code).toBe('permission_denied');
    const asAdmin = await chat(bearer(TEST_ADMIN_KEY));
    expect(asAdmin.status).toBe(403);
    expect(((await asAdmin.json()) as any).error.code).toBe('permission_denied');
    expect((await fetch(`${gateway.baseUrl}/admin/teams`)).status).toBe(401);
  });

  it('validates admin bodies by field and answers unknown ids with 404', async () => {
    const missing = await gateway.admin('POST', '/admin/teams', {});
    expect(missing.status).toBe(400);
    expect(missing.body.error.param).toBe('name');
    const extra = await gateway.admin('POST', '/admin/teams', { name: 'x', colour: 'red' });
    expect(extra.status).toBe(400);
    expect(extra.body.error.param).toBe('colour');
    const badEnvironment = await gateway.admin('POST', '/admin/keys', {
      project_id: '00000000-0000-4000-8000-000000000000',
      name: 'k',
      environment: 'prod',
    });
    expect(badEnvironment.body.error.param).toBe('environment');
    const noProject = await gateway.admin('POST', '/admin/keys', {
      project_id: '00000000-0000-4000-8000-000000000000',
      name: 'k',
      environment: 'test',
    });
    expect(noProject.status).toBe(404);
    expect((await gateway.admin('POST', '/admin/keys/not-a-uuid/revoke')).status).toBe(404);
    expect((await gateway.admin('POST', '/admin/keys/00000000-0000-4000-8000-000000000000/revoke')).status).toBe(404);
    const team = await gateway.admin('POST', '/admin/teams', { name: 'unique-team' });
    expect(team.status).toBe(201);
    expect(team.body).toEqual({ id: expect.any(String), name: 'unique-team', created_at: expect.any(String) });
    expect((await gateway.admin('POST', '/admin/teams', { name: 'unique-team' })).status).toBe(409);
  });
});

import { readFileSync, writeFileSync } from 'node:fs';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { ModelCatalogService, routingConfig } from '@app/routing';
import { FakeOpenAiServer } from '../fakes/fake-openai.server';
import { eventually } from '../utils/eventually';
import { wireCheck } from '../utils/openai-wire';
import { openAiCatalog, startTestGateway, TestGateway } from '../utils/test-gateway';

const ACTOR = 'env:SWITCHYARD_ADMIN_KEY';

/** Every admin change leaves a hash-chained audit event, written in the same transaction as the change. */
describe('admin audit trail', () => {
  // Every body received is checked against OpenAI's published OpenAPI document.
  const wire = wireCheck();
  let fake: FakeOpenAiServer;
  let gateway: TestGateway;
  let second: TestGateway;

  beforeAll(async () => {
    fake = new FakeOpenAiServer('sk-provider');
    const catalog = openAiCatalog(await fake.start(), 'sk-provider');
    gateway = await startTestGateway({ catalog });
    second = await startTestGateway({ catalog, database: gateway.database });
  });

  afterAll(async () => {
    await second?.close();
    await gateway?.close();
    await fake?.stop();
  });

  const events = async (query = '') => (await gateway.admin('GET', `/admin/audit-events${query}`)).body;
  const chat = (key: string) =>
    wire.fetch(`${gateway.baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] }),
    });
  async function asSuperuser<T>(work: (client: Client) => Promise<T>): Promise<T> {
    const client = new Client({ connectionString: gateway.database.url });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  }

  it('records who created, revoked and rotated what, with before and after, and never a key', async () => {
    const { key, id, projectId, teamId } = await gateway.createKey();
    expect((await gateway.admin('POST', `/admin/keys/${id}/revoke`)).status).toBe(200);

    const team = (await events(`?target_id=${teamId}`)).data;
    expect(team).toEqual([
      expect.objectContaining({
        actor: ACTOR,
        action: 'team.create',
        target_type: 'team',
        target_id: teamId,
        before: null,
        after: expect.objectContaining({ id: teamId }),
      }),
    ]);
    expect((await events(`?target_id=${projectId}`)).data).toEqual([
      expect.objectContaining({
        action: 'project.create',
        after: expect.objectContaining({ id: projectId, team_id: teamId }),
      }),
    ]);
    const keyEvents = (await events(`?target_type=key&target_id=${id}`)).data;
    expect(keyEvents.map((event: any) => event.action)).toEqual(['key.revoke', 'key.create']);
    expect(keyEvents[0].before).toMatchObject({ id, revoked_at: null });
    expect(keyEvents[0].after).toMatchObject({
      id,
      revoked_at: expect.any(String),
      masked_key: `${key.slice(0, 12)}…${key.slice(-4)}`,
    });
    expect(keyEvents[1].after).toMatchObject({ id, project_id: projectId, environment: 'test' });
    expect(JSON.stringify(await events('?limit=500'))).not.toContain(key.slice(12, -4));
  });

  it('rotates a key: the new key is shown once and works, the old one stops, both in the trail', async () => {
    const old = await gateway.createKey({ models: ['gpt-test'] });
    const rotated = await gateway.admin('POST', `/admin/keys/${old.id}/rotate`);
    expect(rotated.status).toBe(201);
    expect(rotated.body).toMatchObject({
      project_id: old.projectId,
      models: ['gpt-test'],
      rotated_from: old.id,
      key: expect.stringMatching(/^sy-test-/),
    });
    expect((await chat(rotated.body.key)).status).toBe(200);
    expect((await chat(old.key)).status).toBe(401);
    expect((await gateway.admin('POST', `/admin/keys/${old.id}/rotate`)).status).toBe(409);

    const [rotation] = (await events(`?action=key.rotate&target_id=${old.id}`)).data;
    expect(rotation).toMatchObject({
      before: { revoked_at: null },
      after: { revoked_at: expect.any(String), replaced_by: rotated.body.id },
    });
    const [creation] = (await events(`?target_id=${rotated.body.id}`)).data;
    expect(creation).toMatchObject({ action: 'key.create', after: { id: rotated.body.id, rotated_from: old.id } });
    expect(JSON.stringify(creation)).not.toContain(rotated.body.key);
  });

  it('writes the event in the same transaction: a refused change leaves none, a failed append undoes the change', async () => {
    const before = (await events('?limit=500')).data.length;
    const name = `atomic-${Date.now()}`;
    expect((await gateway.admin('POST', '/admin/teams', { name })).status).toBe(201);
    expect((await gateway.admin('POST', '/admin/teams', { name })).status).toBe(409);
    expect((await events('?limit=500')).data.length).toBe(before + 1);

    await asSuperuser((client) =>
      client.query(`ALTER TABLE audit_events ADD CONSTRAINT no_teams_now CHECK (action <> 'team.create') NOT VALID`),
    );
    try {
      expect((await gateway.admin('POST', '/admin/teams', { name: `${name}-undone` })).status).toBe(500);
    } finally {
      await asSuperuser((client) => client.query('ALTER TABLE audit_events DROP CONSTRAINT no_teams_now'));
    }
    const teams = (await gateway.admin('GET', '/admin/teams')).body.data.map((team: any) => team.name);
    expect(teams).toContain(name);
    expect(teams).not.toContain(`${name}-undone`);
  });

  it('keeps one linear chain while two instances change things concurrently', async () => {
    const instances = [gateway, second];
    const created = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        instances[i % 2].admin('POST', '/admin/teams', { name: `concurrent-${i}-${Date.now()}` }),
      ),
    );
    expect(created.map((response) => response.status)).toEqual(Array(30).fill(201));
    const verification = (await gateway.admin('GET', '/admin/audit-events/verify')).body;
    expect(verification).toEqual({ ok: true, count: expect.any(Number), first_bad_id: null });
    const all = (await events('?limit=500')).data;
    expect(all.map((event: any) => event.id)).toEqual(
      Array.from({ length: verification.count }, (_, i) => verification.count - i),
    );
  });

  it('records config reloads: through the API with the admin as actor, by signal or file change as the system', async () => {
    const reloaded = await gateway.admin('POST', '/admin/config/reload');
    expect(reloaded).toEqual({ status: 200, body: { trigger: 'api', accepted: true, models: 1, error: null } });
    const configPath = gateway.gateway.app.get(routingConfig.KEY).configPath;
    const good = readFileSync(configPath, 'utf8');
    writeFileSync(configPath, 'models: [');
    try {
      const rejected = await gateway.admin('POST', '/admin/config/reload');
      expect(rejected.status).toBe(400);
      expect(rejected.body.error.message).toContain('the previous catalog keeps serving');
    } finally {
      writeFileSync(configPath, good);
    }
    gateway.gateway.app.get(ModelCatalogService).reload('sighup');

    const byAdmin = (await events(`?action=config.reload&actor=${ACTOR}`)).data;
    expect(byAdmin.map((event: any) => event.after)).toEqual([
      { trigger: 'api', accepted: false, models: 1, error: expect.stringContaining('not valid YAML') },
      { trigger: 'api', accepted: true, models: 1, error: null },
    ]);
    const bySignal = await eventually(
      () => events('?action=config.reload&actor=system:sighup'),
      (found) => found.data.length > 0,
    );
    expect(bySignal.data).toEqual([
      expect.objectContaining({
        target_type: 'config',
        after: { trigger: 'sighup', accepted: true, models: 1, error: null },
      }),
    ]);
  });

  it('refuses UPDATE, DELETE and TRUNCATE through the app’s own connection', async () => {
    const database = gateway.gateway.app.get(DataSource);
    await expect(database.query(`UPDATE audit_events SET actor = 'someone else' WHERE id = 1`)).rejects.toThrow(
      /append-only/,
    );
    await expect(database.query('DELETE FROM audit_events WHERE id = 1')).rejects.toThrow(/append-only/);
    await expect(database.query('TRUNCATE audit_events')).rejects.toThrow(/append-only/);
    await expect(database.query(`UPDATE request_records SET status = 200`)).rejects.toThrow(/append-only/);
  });

  it('verify names the first event changed behind the trigger’s back', async () => {
    expect((await gateway.admin('GET', '/admin/audit-events/verify')).body.ok).toBe(true);
    await asSuperuser(async (client) => {
      await client.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only');
      await client.query(`UPDATE audit_events SET after = jsonb_set(after, '{name}', '"renamed"') WHERE id = 3`);
      await client.query('ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only');
    });
    expect((await gateway.admin('GET', '/admin/audit-events/verify')).body).toEqual({
      ok: false,
      count: expect.any(Number),
      first_bad_id: 3,
    });
  });
});

import { randomUUID } from 'node:crypto';
import { RouteInventory } from '../../apps/gateway/src/http/route-inventory';
import { FakeOpenAiServer } from '../fakes/fake-openai.server';
import { recordsOf } from '../utils/evidence';
import { openAiCatalog, startTestGateway, TEST_ADMIN_KEY, TestGateway } from '../utils/test-gateway';

const ENV_ADMIN_ID = 'env:SWITCHYARD_ADMIN_KEY';
const READS = ['GET', 'HEAD'];

interface Call {
  status: number;
  body: any;
}

/** The objects of one team, made by the owner: a project, two keys with owners, a budget, a request each. */
interface TeamObjects {
  team: string;
  project: string;
  keys: Array<{ id: string; key: string; owner: string }>;
  requestId: string;
}

/**
 * Admin tokens with roles, end to end: a team admin sees and changes its own teams only (another team's
 * objects answer as unknown ids), an auditor reads everything and changes nothing (every write route of the
 * route table answers 403), every admin call is in the access log with the token's id and role, and keys
 * carry an owner that usage groups by.
 */
describe('admin roles', () => {
  let fake: FakeOpenAiServer;
  let gateway: TestGateway;
  let teamA: TeamObjects;
  let teamB: TeamObjects;
  const tokens: Record<'teamAdmin' | 'auditor' | 'teamAdminOfB', { id: string; token: string }> = {} as never;

  const call = async (token: string, method: string, path: string, body?: unknown): Promise<Call> => {
    const response = await fetch(gateway.baseUrl + path, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined || READS.includes(method) ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const json = response.headers.get('content-type')?.includes('application/json') && text ? JSON.parse(text) : text;
    return { status: response.status, body: json };
  };
  const owner = (method: string, path: string, body?: unknown) => call(TEST_ADMIN_KEY, method, path, body);
  const asTeamAdmin = (method: string, path: string, body?: unknown) =>
    call(tokens.teamAdmin.token, method, path, body);
  const asAuditor = (method: string, path: string, body?: unknown) => call(tokens.auditor.token, method, path, body);
  const created = async (response: Promise<Call>) => {
    const { status, body } = await response;
    if (status !== 201) throw new Error(`expected 201, got ${status}: ${JSON.stringify(body)}`);
    return body;
  };

  async function seedTeam(name: string, owners: string[]): Promise<TeamObjects> {
    const team = (await created(owner('POST', '/admin/teams', { name }))).id;
    const project = (await created(owner('POST', '/admin/projects', { name: 'app', team_id: team }))).id;
    const keys = [];
    for (const keyOwner of owners) {
      const key = await created(
        owner('POST', '/admin/keys', { project_id: project, name: keyOwner, environment: 'test', owner: keyOwner }),
      );
      keys.push({ id: key.id, key: key.key, owner: keyOwner });
    }
    expect((await owner('PUT', `/admin/projects/${project}/budget`, { limit_usd: 10, period: 'monthly' })).status).toBe(
      200,
    );
    const requestId = `req-${name}-${randomUUID()}`;
    for (const [i, key] of keys.entries()) {
      const answer = await fetch(`${gateway.baseUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${key.key}`,
          'content-type': 'application/json',
          'x-request-id': i === 0 ? requestId : `${requestId}-${i}`,
        },
        body: JSON.stringify({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(answer.status).toBe(200);
    }
    await recordsOf(gateway, requestId);
    return { team, project, keys, requestId };
  }

  /** Every admin route the gateway mounted, however it was mounted. */
  const adminRoutes = () =>
    gateway.gateway.app
      .get(RouteInventory)
      .routes.filter(({ url }) => url.startsWith('/admin'))
      .map(({ method, url }) => ({ method, url }));

  /**
   * A route's path with its parameters naming `objects` (parameters the test does not know get a random id)
   * and the query a route needs to be valid, so that what answers is the access rule, not the validation.
   */
  function pathFor(url: string, objects: TeamObjects, tokenId: string): string {
    if (url === '/admin/usage') return `${url}?group_by=team`;
    return url
      .replace(/^\/admin\/:scope\/:id\//, `/admin/projects/${objects.project}/`)
      .replace(/^\/admin\/keys\/:id\//, `/admin/keys/${objects.keys[0].id}/`)
      .replace(/^\/admin\/projects\/:id\//, `/admin/projects/${objects.project}/`)
      .replace(/^\/admin\/tokens\/:id\//, `/admin/tokens/${tokenId}/`)
      .replace(':request_id', objects.requestId)
      .replace(/:[a-z_]+/gi, randomUUID());
  }

  /** A valid body for the route, for the same reason. */
  const bodyFor = (url: string) => (url.endsWith('/budget') ? { limit_usd: 1, period: 'daily' } : {});

  beforeAll(async () => {
    fake = new FakeOpenAiServer('sk-provider');
    gateway = await startTestGateway({
      catalog: openAiCatalog(await fake.start(), 'sk-provider', [
        {
          name: 'gpt-test',
          pricing: { input_per_mtok: 1, output_per_mtok: 2 },
          deployments: [{ provider: 'openai', model: 'gpt-test' }],
        },
      ]),
      env: { EVIDENCE_FLUSH_INTERVAL_MS: '50' },
    });
    teamA = await seedTeam(`a-${Date.now()}`, ['alice@example.com', 'svc-checkout']);
    teamB = await seedTeam(`b-${Date.now()}`, ['carol@example.com']);
    for (const [name, body] of [
      ['teamAdmin', { name: 'lead of A', role: 'team_admin', team_ids: [teamA.team] }],
      ['auditor', { name: 'compliance', role: 'auditor' }],
      ['teamAdminOfB', { name: 'lead of B', role: 'team_admin', team_ids: [teamB.team] }],
    ] as const) {
      tokens[name] = await created(owner('POST', '/admin/tokens', body));
    }
  });

  afterAll(async () => {
    await gateway?.close();
    await fake?.stop();
  });

  describe('tokens', () => {
    it('issues a token once, with its role and teams, and says who a token is', async () => {
      const issued = await created(owner('POST', '/admin/tokens', { name: 'ops', role: 'owner' }));
      expect(issued).toMatchObject({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        name: 'ops',
        role: 'owner',
        team_ids: [],
        token: expect.stringMatching(/^sy-admin-[0-9A-Za-z]{38}$/),
      });
      const listed = await owner('GET', '/admin/tokens');
      expect(listed.body.data).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ id: issued.id, role: 'owner', masked_token: expect.stringMatching(/^sy-admin-/) }),
          expect.objectContaining({ id: tokens.teamAdmin.id, role: 'team_admin', team_ids: [teamA.team] }),
        ]),
      );
      expect(JSON.stringify(listed.body)).not.toContain(issued.token);

      expect((await call(issued.token, 'GET', '/admin/whoami')).body).toEqual({
        id: issued.id,
        name: 'ops',
        role: 'owner',
        team_ids: [],
      });
      expect((await asTeamAdmin('GET', '/admin/whoami')).body).toEqual({
        id: tokens.teamAdmin.id,
        name: 'lead of A',
        role: 'team_admin',
        team_ids: [teamA.team],
      });
      expect((await owner('GET', '/admin/whoami')).body).toEqual({
        id: ENV_ADMIN_ID,
        name: 'SWITCHYARD_ADMIN_KEY',
        role: 'owner',
        team_ids: [],
      });
    });

    it('rotates a token (the new one works, the old one stops) and revokes one at once', async () => {
      const issued = await created(owner('POST', '/admin/tokens', { name: 'temp', role: 'auditor' }));
      const rotated = await created(owner('POST', `/admin/tokens/${issued.id}/rotate`));
      expect(rotated).toMatchObject({ name: 'temp', role: 'auditor', rotated_from: issued.id });
      expect((await call(issued.token, 'GET', '/admin/whoami')).status).toBe(401);
      expect((await call(rotated.token, 'GET', '/admin/whoami')).body.id).toBe(rotated.id);

      expect((await owner('POST', `/admin/tokens/${rotated.id}/revoke`)).body.revoked_at).toEqual(expect.any(String));
      expect((await call(rotated.token, 'GET', '/admin/whoami')).status).toBe(401);
      expect((await owner('POST', `/admin/tokens/${rotated.id}/rotate`)).status).toBe(409);
    });

    it('refuses a team admin token without teams, and teams on other roles', async () => {
      for (const body of [
        { name: 'x', role: 'team_admin' },
        { name: 'x', role: 'auditor', team_ids: [teamA.team] },
        { name: 'x', role: 'owner', team_ids: [teamA.team] },
        { name: 'x', role: 'superuser' },
      ]) {
        const refused = await owner('POST', '/admin/tokens', body);
        expect(refused.status).toBe(400);
      }
      const unknownTeam = await owner('POST', '/admin/tokens', {
        name: 'x',
        role: 'team_admin',
        team_ids: [randomUUID()],
      });
      expect(unknownTeam).toMatchObject({ status: 404, body: { error: { param: 'team_ids' } } });
    });

    it('keeps admin tokens and gateway keys apart', async () => {
      expect((await call(teamA.keys[0].key, 'GET', '/admin/whoami')).status).toBe(403);
      const v1 = await fetch(`${gateway.baseUrl}/v1/models`, {
        headers: { authorization: `Bearer ${tokens.auditor.token}` },
      });
      expect(v1.status).toBe(403);
    });
  });

  describe('a team admin', () => {
    /** What the API answers for an id that exists nowhere, in place of `id`. */
    const asUnknown = async (method: string, path: string, id: string, body?: unknown) => {
      const unknown = randomUUID();
      const answer = await owner(method, path.replace(id, unknown), body);
      return { ...answer, body: JSON.parse(JSON.stringify(answer.body).replaceAll(unknown, id)) };
    };

    it("gets 404 for team B's project, key, budget, balance and request record, exactly as for unknown ids", async () => {
      const probes: Array<[string, string, string, unknown?]> = [
        ['GET', `/admin/teams/${teamB.team}/balance`, teamB.team],
        ['GET', `/admin/projects/${teamB.project}/balance`, teamB.project],
        ['GET', `/admin/projects/${teamB.project}/rate-limits`, teamB.project],
        ['GET', `/admin/keys/${teamB.keys[0].id}/balance`, teamB.keys[0].id],
        ['PUT', `/admin/projects/${teamB.project}/budget`, teamB.project, { limit_usd: 1, period: 'daily' }],
        ['DELETE', `/admin/projects/${teamB.project}/budget`, teamB.project],
        ['PUT', `/admin/keys/${teamB.keys[0].id}/rate-limits`, teamB.keys[0].id, { rpm: 1 }],
        ['PUT', `/admin/keys/${teamB.keys[0].id}/access`, teamB.keys[0].id, { models: ['gpt-test'] }],
        ['PUT', `/admin/projects/${teamB.project}/access`, teamB.project, { models: ['gpt-test'] }],
        ['POST', `/admin/keys/${teamB.keys[0].id}/revoke`, teamB.keys[0].id],
        ['POST', `/admin/keys/${teamB.keys[0].id}/rotate`, teamB.keys[0].id],
        ['POST', `/admin/keys/${teamB.keys[0].id}/resume`, teamB.keys[0].id],
        ['PATCH', `/admin/projects/${teamB.project}`, teamB.project, { on_anomaly: 'suspend' }],
        ['POST', `/admin/projects/${teamB.project}/resume`, teamB.project],
        ['POST', `/admin/tokens/${tokens.teamAdminOfB.id}/revoke`, tokens.teamAdminOfB.id],
        ['GET', `/admin/requests/${teamB.requestId}`, teamB.requestId],
      ];
      for (const [method, path, id, body] of probes) {
        const answer = await asTeamAdmin(method, path, body);
        // The owner gets 404 for an unknown id of the same kind, with the same body (the id aside).
        const unknown = await asUnknown(method, path, id, body);
        expect({ probe: `${method} ${path}`, ...answer }).toEqual({ probe: `${method} ${path}`, ...unknown });
        expect(answer.status).toBe(404);
      }
      // Nothing of B changed, and B's key still works.
      expect((await owner('GET', `/admin/projects/${teamB.project}/balance`)).body.limit_usd).toBe(10);
      const b = await fetch(`${gateway.baseUrl}/v1/models`, {
        headers: { authorization: `Bearer ${teamB.keys[0].key}` },
      });
      expect(b.status).toBe(200);
    });

    it('answers every route naming one of team B’s objects with 404, or 403 when the route is for every team', async () => {
      const answers: string[] = [];
      for (const { method, url } of adminRoutes().filter((route) => route.url.includes(':'))) {
        const { status } = await asTeamAdmin(method, pathFor(url, teamB, tokens.teamAdminOfB.id), bodyFor(url));
        if (status !== 404 && status !== 403) answers.push(`${method} ${url} → ${status}`);
      }
      expect(answers).toEqual([]);
    });

    it("lists only its teams' teams, projects, keys, tokens, records, export rows and usage", async () => {
      const ids = (response: Call) => response.body.data.map((item: any) => item.id);
      expect(ids(await asTeamAdmin('GET', '/admin/teams'))).toEqual([teamA.team]);
      expect(ids(await asTeamAdmin('GET', '/admin/projects'))).toEqual([teamA.project]);
      expect(ids(await asTeamAdmin('GET', `/admin/projects?team_id=${teamB.team}`))).toEqual([]);
      expect(ids(await asTeamAdmin('GET', '/admin/keys'))).toEqual(teamA.keys.map((key) => key.id));
      expect(ids(await asTeamAdmin('GET', `/admin/keys?project_id=${teamB.project}`))).toEqual([]);
      expect(ids(await asTeamAdmin('GET', '/admin/tokens'))).toEqual([tokens.teamAdmin.id]);

      const records = (await asTeamAdmin('GET', '/admin/requests?limit=500')).body.data;
      expect(records.length).toBeGreaterThanOrEqual(teamA.keys.length);
      expect(new Set(records.map((record: any) => record.team_id))).toEqual(new Set([teamA.team]));
      expect((await asTeamAdmin('GET', `/admin/requests?team_id=${teamB.team}`)).body.data).toEqual([]);
      expect((await asTeamAdmin('GET', `/admin/requests?request_id=${teamB.requestId}`)).body.data).toEqual([]);

      const exported = (await asTeamAdmin('GET', '/admin/requests/export?format=jsonl')).body as string;
      const rows = exported
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      expect(rows.map((row) => row.request_id)).toContain(teamA.requestId);
      expect(rows.every((row) => row.team_id === teamA.team)).toBe(true);
      expect(exported).not.toContain(teamB.requestId);
      const exportedB = await asTeamAdmin('GET', `/admin/requests/export?format=csv&team_id=${teamB.team}`);
      expect((exportedB.body as string).trim().split('\r\n')).toHaveLength(1); // the header alone

      const usage = (await asTeamAdmin('GET', '/admin/usage?group_by=team')).body.data;
      expect(usage.map((row: any) => row.team_id)).toEqual([teamA.team]);
      expect((await owner('GET', '/admin/usage?group_by=team')).body.data.map((row: any) => row.team_id)).toEqual(
        expect.arrayContaining([teamA.team, teamB.team]),
      );
    });

    it('manages its own team: projects, keys, budgets, access, tokens', async () => {
      const project = await created(asTeamAdmin('POST', '/admin/projects', { name: 'second', team_id: teamA.team }));
      const key = await created(
        asTeamAdmin('POST', '/admin/keys', { project_id: project.id, name: 'k', environment: 'test', owner: 'dave' }),
      );
      expect(key).toMatchObject({ owner: 'dave', key: expect.stringMatching(/^sy-test-/) });
      expect((await asTeamAdmin('PUT', `/admin/keys/${key.id}/budget`, { limit_usd: 1, period: 'daily' })).status).toBe(
        200,
      );
      expect((await asTeamAdmin('GET', `/admin/teams/${teamA.team}/rate-limits`)).status).toBe(200);
      expect((await asTeamAdmin('PUT', `/admin/projects/${project.id}/access`, { models: ['gpt-test'] })).status).toBe(
        200,
      );
      expect((await asTeamAdmin('POST', `/admin/keys/${key.id}/rotate`)).status).toBe(201);
      const deputy = await created(
        asTeamAdmin('POST', '/admin/tokens', { name: 'deputy', role: 'team_admin', team_ids: [teamA.team] }),
      );
      expect((await call(deputy.token, 'GET', '/admin/projects')).body.data.map((p: any) => p.team_id)).toEqual([
        teamA.team,
        teamA.team,
      ]);
      expect((await asTeamAdmin('POST', `/admin/tokens/${deputy.id}/revoke`)).status).toBe(200);

      const trail = (await owner('GET', `/admin/audit-events?actor=${tokens.teamAdmin.id}&limit=500`)).body.data;
      expect(trail.map((event: any) => event.action)).toEqual(
        expect.arrayContaining(['project.create', 'key.create', 'budget.set', 'key.rotate', 'admin_key.create']),
      );
      expect(new Set(trail.map((event: any) => event.actor_role))).toEqual(new Set(['team_admin']));
    });

    it('cannot widen its reach: no owner or auditor token, no token, project or key in another team, no team', async () => {
      const refused: Array<[string, string, unknown, number, string?]> = [
        ['POST', '/admin/tokens', { name: 'me', role: 'owner' }, 403, 'role'],
        ['POST', '/admin/tokens', { name: 'me', role: 'auditor' }, 403, 'role'],
        [
          'POST',
          '/admin/tokens',
          { name: 'me', role: 'team_admin', team_ids: [teamA.team, teamB.team] },
          404,
          'team_ids',
        ],
        ['POST', '/admin/projects', { name: 'sneaky', team_id: teamB.team }, 404, 'team_id'],
        ['POST', '/admin/keys', { project_id: teamB.project, name: 'sneaky', environment: 'test' }, 404, 'project_id'],
        ['POST', '/admin/teams', { name: `mine-${Date.now()}` }, 403],
        ['POST', '/admin/config/reload', undefined, 403],
      ];
      for (const [method, path, body, status, param] of refused) {
        const answer = await asTeamAdmin(method, path, body);
        expect({ call: `${method} ${path} ${JSON.stringify(body)}`, status: answer.status }).toEqual({
          call: `${method} ${path} ${JSON.stringify(body)}`,
          status,
        });
        if (param) expect(answer.body.error.param).toBe(param);
      }
      const keysOfB = (await owner('GET', `/admin/keys?project_id=${teamB.project}`)).body.data;
      expect(keysOfB.map((key: any) => key.name)).not.toContain('sneaky');
      expect((await asTeamAdmin('GET', '/admin/audit-events')).status).toBe(403);
    });
  });

  describe('an auditor', () => {
    it('gets 403 on every write route of the route table and 200 or 404 on every read, and changes nothing', async () => {
      const before = (await owner('GET', '/admin/audit-events/verify')).body;
      const routes = adminRoutes();
      const writes = routes.filter(({ method }) => !READS.includes(method));
      expect(writes.map(({ method, url }) => `${method} ${url}`)).toEqual(
        expect.arrayContaining(['POST /admin/tokens', 'POST /admin/keys', 'PUT /admin/:scope/:id/budget']),
      );
      const wrong: string[] = [];
      for (const { method, url } of routes) {
        const { status } = await asAuditor(method, pathFor(url, teamA, tokens.teamAdmin.id), bodyFor(url));
        const expected = READS.includes(method) ? [200, 404] : [403];
        if (!expected.includes(status)) wrong.push(`${method} ${url} → ${status}`);
      }
      expect(wrong).toEqual([]);
      expect((await owner('GET', '/admin/audit-events/verify')).body).toEqual(before);

      // Every one of those calls is in the access log, with the auditor's id and role; the writes as refused.
      const logged = (await owner('GET', `/admin/access-events?actor=${tokens.auditor.id}&limit=500`)).body.data;
      const outcomes = logged.map((event: any) => `${event.method} ${event.route} ${event.outcome}`).sort();
      const expected = routes
        .map(({ method, url }) => `${method} ${url} ${READS.includes(method) ? 'allowed' : 'refused'}`)
        .sort();
      for (const line of expected) expect(outcomes).toContain(line);
      expect(new Set(logged.map((event: any) => event.actor_role))).toEqual(new Set(['auditor']));
    });

    it('reads every team’s records, usage, export and the audit trail with its verification', async () => {
      expect((await asAuditor('GET', `/admin/requests/${teamB.requestId}`)).body.team_id).toBe(teamB.team);
      expect((await asAuditor('GET', '/admin/usage?group_by=team')).body.data.map((row: any) => row.team_id)).toEqual(
        expect.arrayContaining([teamA.team, teamB.team]),
      );
      expect((await asAuditor('GET', '/admin/audit-events/verify')).body).toMatchObject({ ok: true });
      expect((await asAuditor('GET', '/admin/access-events/verify')).body).toMatchObject({ ok: true });
    });
  });

  describe('the access log', () => {
    it('records every admin call — reads, exports and refused writes — with the token id and role, chained', async () => {
      const requestId = `probe-${randomUUID()}`;
      await fetch(`${gateway.baseUrl}/admin/requests/export?format=csv&team_id=${teamA.team}`, {
        headers: { authorization: `Bearer ${tokens.teamAdmin.token}`, 'x-request-id': requestId },
      }).then((response) => response.text());
      await asAuditor('POST', '/admin/teams', { name: 'nope' });

      const calls = (await owner('GET', `/admin/access-events?limit=500`)).body.data;
      const exportCalls = calls.filter((event: any) => event.request_id === requestId);
      expect(exportCalls).toEqual([
        expect.objectContaining({
          actor: tokens.teamAdmin.id,
          actor_role: 'team_admin',
          outcome: 'allowed',
          method: 'GET',
          route: '/admin/requests/export',
          query: { format: 'csv', team_id: teamA.team },
        }),
      ]);
      expect(calls).toContainEqual(
        expect.objectContaining({
          actor: tokens.auditor.id,
          route: '/admin/teams',
          method: 'POST',
          outcome: 'refused',
        }),
      );
      expect(calls).toContainEqual(expect.objectContaining({ actor: ENV_ADMIN_ID, actor_role: 'owner' }));
      expect((await owner('GET', '/admin/access-events/verify')).body).toEqual({
        ok: true,
        count: expect.any(Number),
        first_bad_id: null,
      });
    });
  });

  describe('without SWITCHYARD_ADMIN_KEY', () => {
    it('keeps an owner: the last owner token cannot be revoked, one of two can', async () => {
      const zeroSetup = await startTestGateway({
        catalog: openAiCatalog(gateway.baseUrl, 'unused'),
        env: { SWITCHYARD_ADMIN_KEY: '' },
      });
      try {
        const firstRun = zeroSetup.gateway.firstRun!.adminKey;
        const as = (token: string, method: string, path: string, body?: unknown) =>
          fetch(zeroSetup.baseUrl + path, {
            method,
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: body === undefined ? undefined : JSON.stringify(body),
          }).then(async (response) => ({ status: response.status, body: (await response.json()) as any }));
        const me = (await as(firstRun, 'GET', '/admin/whoami')).body;
        expect(me).toMatchObject({ name: 'first-run admin key', role: 'owner' });

        expect((await as(firstRun, 'POST', `/admin/tokens/${me.id}/revoke`)).status).toBe(409);
        const second = (await as(firstRun, 'POST', '/admin/tokens', { name: 'second owner', role: 'owner' })).body;
        expect((await as(second.token, 'POST', `/admin/tokens/${me.id}/revoke`)).status).toBe(200);
        const last = await as(second.token, 'POST', `/admin/tokens/${second.id}/revoke`);
        expect(last).toMatchObject({
          status: 409,
          body: { error: { message: expect.stringContaining('last owner') } },
        });
        expect((await as(second.token, 'GET', '/admin/whoami')).status).toBe(200);
      } finally {
        await zeroSetup.close();
      }
    });
  });

  describe('key owners', () => {
    it('shows the owner on keys and records, filters by it, and groups usage by it', async () => {
      const keys = (await owner('GET', `/admin/keys?project_id=${teamA.project}`)).body.data;
      expect(keys.map((key: any) => key.owner)).toEqual(['alice@example.com', 'svc-checkout']);
      const [record] = await recordsOf(gateway, teamA.requestId);
      expect(record.owner).toBe('alice@example.com');
      const alice = (await owner('GET', '/admin/requests?owner=alice@example.com')).body.data;
      expect(alice.map((entry: any) => entry.request_id)).toEqual([teamA.requestId]);

      const byOwner = (await owner('GET', '/admin/usage?group_by=owner')).body;
      expect(byOwner.group_by).toBe('owner');
      const rows = Object.fromEntries(byOwner.data.map((row: any) => [row.owner, row]));
      for (const name of ['alice@example.com', 'svc-checkout', 'carol@example.com']) {
        expect(rows[name].requests).toBeGreaterThanOrEqual(1);
        expect(rows[name].cost_micro_usd).toBeGreaterThan(0);
      }
      expect(rows['alice@example.com'].requests).toBe(1);
      // The per-request cost stays what the record says.
      expect(rows['alice@example.com'].cost_micro_usd).toBe(record.cost_micro_usd);
      const ownTeam = (await asTeamAdmin('GET', '/admin/usage?group_by=owner')).body.data;
      expect(ownTeam.map((row: any) => row.owner)).not.toContain('carol@example.com');
    });

    it('keeps the owner through rotation', async () => {
      const key = await created(
        owner('POST', '/admin/keys', { project_id: teamA.project, name: 'r', environment: 'test', owner: 'erin' }),
      );
      expect(await created(owner('POST', `/admin/keys/${key.id}/rotate`))).toMatchObject({ owner: 'erin' });
    });
  });
});

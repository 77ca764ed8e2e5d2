import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { DataSource } from 'typeorm';
import { stringify } from 'yaml';
import { FakeOpenAiServer } from '../fakes/fake-openai.server';
import { seedBulkRecords } from '../utils/bulk-records';
import { cliBinPath, runCliBin, runCliInProcess } from '../utils/cli';
import { eventually } from '../utils/eventually';
import { openAiCatalog, startTestGateway, TEST_ADMIN_KEY, TestGateway } from '../utils/test-gateway';

const MB = 1024 * 1024;
const EXPORT_ROWS = 100_000;

/** `switchyard …` end to end: the CLI against a running gateway on the real Postgres. */
describe('switchyard CLI', () => {
  let fake: FakeOpenAiServer;
  let gateway: TestGateway;
  let env: Record<string, string>;
  const work = mkdtempSync(join(tmpdir(), 'switchyard-cli-'));

  /** In-process run against the test gateway, with the admin key in the environment as the docs say. */
  const cli = (...args: string[]) => runCliInProcess(args, env);
  const json = async (...args: string[]) => {
    const result = await cli(...args, '--json');
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
    return JSON.parse(result.stdout);
  };

  beforeAll(async () => {
    fake = new FakeOpenAiServer('sk-provider');
    gateway = await startTestGateway({
      catalog: openAiCatalog(await fake.start(), 'sk-provider', [
        {
          name: 'gpt-test',
          tier: 'standard',
          pricing: { input_per_mtok: 1, output_per_mtok: 2 },
          retry: { max_attempts: 1 },
          deployments: [{ provider: 'openai', model: 'gpt-test' }],
        },
      ]),
      env: { LOG_LEVEL: 'warn' },
    });
    env = { SWITCHYARD_URL: gateway.baseUrl, SWITCHYARD_ADMIN_KEY: TEST_ADMIN_KEY };
  });

  afterAll(async () => {
    await gateway?.close();
    await fake?.stop();
  });

  describe('teams, projects, keys', () => {
    it('creates and lists them, as tables and as JSON', async () => {
      const created = await cli('teams', 'create', 'payments');
      expect(created.code).toBe(0);
      expect(created.stdout).toMatch(/^id\s+[0-9a-f-]{36}\nname\s+payments\n/);
      const team = (await json('teams', 'list')).data.find((entry: any) => entry.name === 'payments');
      expect(team.id).toBe(/^id\s+(\S+)/.exec(created.stdout)![1]);
      expect((await cli('teams', 'list')).stdout).toMatch(/^ID\s+NAME\s+CREATED\n-+/);

      const project = await json('projects', 'create', 'checkout', '--team', team.id);
      expect(project).toMatchObject({ name: 'checkout', team_id: team.id, models: null });
      expect((await json('projects', 'list', '--team', team.id)).data).toEqual([project]);
      expect((await cli('projects', 'list', '--team', team.id)).stdout).toContain(`${project.id}  checkout`);

      const issued = await cli(
        'keys',
        'create',
        '--project',
        project.id,
        '--name',
        'ci',
        '--environment',
        'production',
        '--owner',
        'ci@example.com',
        '--models',
        'gpt-test',
      );
      expect(issued.code).toBe(0);
      const key = /\nkey\s+(sy-prod-\S+)\n/.exec(issued.stdout)![1];
      expect(issued.stderr).toContain('shown once');
      const listed = await cli('keys', 'list', '--project', project.id);
      expect(listed.stdout).toMatch(/sy-prod-\w{4}…\w{4}\s+ci\s+production\s+ci@example\.com\s+/);
      expect(listed.stdout).not.toContain(key);
      const keyId = (await json('keys', 'list', '--project', project.id)).data[0].id;

      // The key works, is replaced by rotation (the new one printed once), and the old one stops working.
      const client = (apiKey: string) => new OpenAI({ apiKey, baseURL: `${gateway.baseUrl}/v1`, maxRetries: 0 });
      const ask = { model: 'gpt-test', messages: [{ role: 'user' as const, content: 'hi' }] };
      await expect(client(key).chat.completions.create(ask)).resolves.toBeDefined();
      const rotated = await json('keys', 'rotate', keyId);
      expect(rotated).toMatchObject({
        rotated_from: keyId,
        models: ['gpt-test'],
        key: expect.stringMatching(/^sy-prod-/),
      });
      await expect(client(key).chat.completions.create(ask)).rejects.toMatchObject({ status: 401 });
      await expect(client(rotated.key).chat.completions.create(ask)).resolves.toBeDefined();

      const revoked = await cli('keys', 'revoke', rotated.id);
      expect(revoked.stdout).toMatch(/state\s+revoked 20/);
      expect(revoked.stdout).not.toContain(rotated.key);
    });
  });

  describe('budgets, limits, access', () => {
    let keyId: string;
    let projectId: string;

    beforeAll(async () => {
      ({ id: keyId, projectId } = await gateway.createKey());
    });

    it('sets, shows and removes a budget', async () => {
      const set = await cli(
        'budgets',
        'set',
        '--scope',
        'key',
        '--id',
        keyId,
        '--limit-usd',
        '5',
        '--period',
        'monthly',
      );
      expect(set.code).toBe(0);
      expect(set.stdout).toMatch(/limit\s+\$5\nperiod\s+monthly\nspent\s+\$0\n/);
      expect(await json('budgets', 'get', '--scope', 'key', '--id', keyId)).toMatchObject({
        limit_usd: 5,
        remaining_usd: 5,
        period: 'monthly',
      });
      expect((await cli('budgets', 'remove', '--scope', 'key', '--id', keyId)).code).toBe(0);
      const gone = await cli('budgets', 'get', '--scope', 'key', '--id', keyId);
      expect(gone.code).toBe(1);
      expect(gone.stderr).toBe(
        `error: The key ${keyId} has no budget; PUT a budget to set one. (HTTP 404, not_found)\n`,
      );
    });

    it('shows the instance’s quota counters', async () => {
      expect(await json('quota', 'stats')).toMatchObject({ budget_checks_from_lease: expect.any(Number) });
      expect((await cli('quota', 'stats')).stdout).toMatch(/^budget_checks_from_lease\s+\d+$/m);
    });

    it('sets and shows rate limits, "none" lifting one', async () => {
      const set = await cli('limits', 'set', '--scope', 'project', '--id', projectId, '--rpm', '600', '--tpm', 'none');
      expect(set).toEqual({ code: 0, stdout: 'rpm  600\ntpm  no limit\n', stderr: '' });
      expect(await json('limits', 'get', '--scope', 'project', '--id', projectId)).toEqual({ rpm: 600, tpm: null });
    });

    it('replaces allow-lists of a key and of a project', async () => {
      expect(
        await json(
          'access',
          'set',
          '--scope',
          'key',
          '--id',
          keyId,
          '--models',
          'gpt-test',
          '--allowed-ips',
          '10.0.0.0/8',
        ),
      ).toMatchObject({ id: keyId, models: ['gpt-test'], tiers: null, allowed_ips: ['10.0.0.0/8'] });
      const project = await cli('access', 'set', '--scope', 'project', '--id', projectId, '--tiers', 'standard');
      expect(project.stdout).toMatch(/models\s+any\ntiers\s+standard\n/);
      const refused = await cli('access', 'set', '--scope', 'project', '--id', projectId, '--allowed-ips', '10.0.0.1');
      expect(refused).toMatchObject({ code: 2, stderr: 'error: --allowed-ips: only keys have an IP allow-list\n' });
      const unknownModel = await cli('access', 'set', '--scope', 'key', '--id', keyId, '--models', 'gpt-nope');
      expect(unknownModel.code).toBe(1);
      expect(unknownModel.stderr).toMatch(/^error: .*gpt-nope.* \(HTTP 400/);
    });
  });

  describe('usage and request evidence', () => {
    let key: { key: string; id: string; projectId: string };
    let failedRequestId: string;

    beforeAll(async () => {
      key = await gateway.createKey();
      const client = new OpenAI({ apiKey: key.key, baseURL: `${gateway.baseUrl}/v1`, maxRetries: 0 });
      for (let i = 0; i < 3; i++)
        await client.chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: `q${i}` }] });
      fake.script({ status: 500 });
      const failed: { status: number; headers: Headers } = await client.chat.completions
        .create({ model: 'gpt-test', messages: [{ role: 'user', content: 'fail' }] })
        .then(
          () => Promise.reject(new Error('the scripted upstream 500 was served')),
          (error: { status: number; headers: Headers }) => error,
        );
      expect(failed.status).toBe(502);
      failedRequestId = failed.headers.get('x-request-id')!;
      await eventually(
        () => gateway.admin('GET', `/admin/requests?key_id=${key.id}`),
        (found) => found.body.data.length === 4,
      );
    });

    it('usage by project: a table with a totals row, and the same numbers as JSON', async () => {
      const report = await json('usage', '--group-by', 'project', '--since', '7d', '--project', key.projectId);
      expect(report.data).toEqual([
        expect.objectContaining({
          project_id: key.projectId,
          requests: 4,
          errors: 1,
          cost_micro_usd: expect.any(Number),
        }),
      ]);
      const table = await cli('usage', '--group-by', 'project', '--since', '7d', '--project', key.projectId);
      expect(table.code).toBe(0);
      const lines = table.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^usage by project, \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2} \(UTC days\)$/);
      expect(lines[1]).toMatch(/^PROJECT\s+REQUESTS\s+ERRORS\s+PROMPT TOKENS\s+CACHED\s+COMPLETION TOKENS\s+COST$/);
      expect(lines[3]).toMatch(new RegExp(`^${key.projectId}\\s+4\\s+1\\s`));
      expect(lines.at(-1)).toMatch(/^TOTAL\s+4\s+1\s+\d+\s+0\s+\d+\s+\$0\.\d{6}$/);
      const bad = await cli('usage', '--since', 'last week');
      expect(bad).toMatchObject({ code: 2, stderr: expect.stringContaining('--since: expected a duration ago') });
    });

    it('requests --key … --status 5xx --since 1h lists only that key’s server errors, filtered by the gateway', async () => {
      const found = await json('requests', '--key', key.id, '--status', '5xx', '--since', '1h', '--limit', '1');
      expect(found.data.map((record: any) => [record.request_id, record.status])).toEqual([[failedRequestId, 502]]);
      // One call, the class in its query: the gateway filters (and pages) by it, the CLI does not.
      const calls = await gateway.admin('GET', '/admin/access-events?route=/admin/requests&limit=500');
      const asked = calls.body.data.filter((event: any) => event.query?.key_id === key.id && event.query?.status);
      expect(asked.map((event: any) => event.query)).toContainEqual(
        expect.objectContaining({ status: '5xx', key_id: key.id, limit: '1' }),
      );
      expect((await json('requests', '--key', key.id, '--fallback', 'true')).data).toEqual([]);
      expect((await json('requests', '--key', key.id, '--fallback', 'false')).data).toHaveLength(4);
      expect((await cli('requests', '--fallback', 'maybe')).code).toBe(2);
      const exact = await json('requests', 'list', '--key', key.id, '--status', '200', '--limit', '2');
      expect(exact.data).toHaveLength(2);
      expect(exact.data.every((record: any) => record.status === 200)).toBe(true);
      const table = await cli('requests', '--key', key.id, '--since', '1h');
      expect(table.stdout).toMatch(/^TIME\s+REQUEST ID\s+STATUS\s+ERROR\s+MODEL\s+KEY\s+LATENCY MS\n/);
      expect(table.stdout.trimEnd().split('\n')).toHaveLength(2 + 4);
      expect(table.stdout).toMatch(
        new RegExp(`${failedRequestId}\\s+502\\s+upstream_error\\s+gpt-test\\s+sy-test-\\w{4}…\\w{4}`),
      );
      expect((await cli('requests', '--status', 'bad')).code).toBe(2);
    });

    it('requests show: the whole evidence record, route attempts and the raw upstream error included', async () => {
      const shown = await cli('requests', 'show', failedRequestId);
      expect(shown.code).toBe(0);
      expect(shown.stdout).toMatch(/status\s+502\n/);
      expect(shown.stdout).toMatch(/error\s+upstream_error \(upstream_error\)\n/);
      expect(shown.stdout).toMatch(/upstream error\s+.*The server had an error while processing your request/);
      expect(shown.stdout).toMatch(new RegExp(`key\\s+sy-test-\\w{4}…\\w{4} \\(id ${key.id}, test\\)`));
      expect(shown.stdout).toMatch(/model\s+gpt-test \(not served\)\n/);
      expect(shown.stdout).toMatch(
        /route attempts\n#\s+DEPLOYMENT\s+STATUS\s+ERROR\s+MS\n-+.*\n1\s+openai\/gpt-test\s+500\s+upstream_error\s+\d+\n/,
      );
      expect(shown.stdout).not.toContain(key.key);
      expect(await json('requests', 'show', failedRequestId)).toMatchObject({
        request_id: failedRequestId,
        attempts: [{ deployment: 'openai/gpt-test', status: 500 }],
      });
      const missing = await cli('requests', 'show', 'no-such-request');
      expect(missing).toMatchObject({
        code: 1,
        stderr: expect.stringContaining('No request record with id no-such-request'),
      });
    });
  });

  describe('requests export', () => {
    const bulkKeyId = randomUUID();

    beforeAll(async () => {
      await seedBulkRecords(gateway.gateway.app.get(DataSource), EXPORT_ROWS, bulkKeyId);
    }, 60_000);

    it('streams 100k records to stdout in flat memory through the real bin, with a progress line on stderr', async () => {
      const file = join(work, 'requests.csv');
      const exportCsv = (extra: string[], stdoutFile: string) =>
        runCliBin(['requests', 'export', '--format', 'csv', '--key', bulkKeyId, ...extra], { env, stdoutFile });
      const one = await exportCsv(['--request-id', 'bulk-1'], join(work, 'one.csv'));
      const result = await exportCsv([], file);
      expect(result).toMatchObject({
        code: 0,
        stdout: '',
        stderr: expect.stringMatching(/^exported 100,000 rows, \d+\.\d MB, done\n$/),
      });
      // Holding the ~84 MB export would take the process several times its size (reading it whole: +280 MB);
      // a stream takes what one record takes, plus a few batches in flight.
      const growthMb = result.peakRssMb - one.peakRssMb;
      expect(growthMb).toBeLessThan(32);
      process.stdout.write(
        `cli export: peak RSS ${result.peakRssMb.toFixed(0)} MB, +${growthMb.toFixed(1)} MB over one row\n`,
      );
      const size = statSync(file).size;
      expect(size).toBeGreaterThan(70 * MB);
      const text = readFileSync(file, 'utf8');
      expect(text.split('\r\n')).toHaveLength(EXPORT_ROWS + 2); // header, rows, the empty string after the last
      expect(text.slice(0, 200)).toMatch(/^id,created_at,request_id,/);
      expect(text.slice(0, 2_000)).toContain(',bulk-100000,'); // oldest first
    }, 180_000);

    it('exports JSON Lines, by status class too', async () => {
      const result = await cli('requests', 'export', '--format', 'jsonl', '--key', bulkKeyId, '--request-id', 'bulk-7');
      expect(result).toMatchObject({ code: 0, stderr: 'exported 1 rows, 0.0 MB, done\n' });
      const rows = result.stdout.trimEnd().split('\n');
      expect(rows).toHaveLength(1);
      expect(JSON.parse(rows[0])).toMatchObject({
        request_id: 'bulk-7',
        key_id: bulkKeyId,
        endpoint: '/v1/chat/completions',
      });
      const errors = await cli('requests', 'export', '--format', 'jsonl', '--key', bulkKeyId, '--status', '5xx');
      expect(errors).toMatchObject({ code: 0, stdout: '', stderr: 'exported 0 rows, 0.0 MB, done\n' });
      const bulk7 = await cli(
        'requests',
        'export',
        '--format',
        'csv',
        '--key',
        bulkKeyId,
        '--status',
        '2XX',
        '--request-id',
        'bulk-7',
      );
      expect(bulk7.stdout.trimEnd().split('\n')).toHaveLength(2);
    });
  });

  describe('config check', () => {
    const catalogFile = (name: string, catalog: unknown) => {
      const file = join(work, name);
      writeFileSync(file, typeof catalog === 'string' ? catalog : stringify(catalog));
      return file;
    };

    it('accepts a valid catalog offline, warning about unset secrets and unpriced models', async () => {
      const file = catalogFile('valid.yaml', {
        providers: [
          { id: 'openai', type: 'openai', base_url: 'https://api.openai.com/v1', api_key: '${CLI_TEST_UNSET_KEY}' },
        ],
        models: [{ name: 'gpt-4.1-mini', deployments: [{ provider: 'openai', model: 'gpt-4.1-mini' }] }],
      });
      const result = await runCliInProcess(['config', 'check', file], {});
      expect(result).toEqual({
        code: 0,
        stdout: `${file}: valid\n`,
        stderr:
          'warning: ${CLI_TEST_UNSET_KEY} is not set here; the gateway needs it in its environment\n' +
          'warning: models without a price (served, but budgets cannot limit them): gpt-4.1-mini\n',
      });
    });

    it('names each error by path and line with the gateway’s own validator, exit 1', async () => {
      const file = catalogFile(
        'invalid.yaml',
        [
          'providers:',
          '  - id: openai',
          '    type: openai',
          '    base_url: https://api.openai.com/v1',
          'models:',
          '  - name: fast',
          '    deployments:',
          '      - provider: opnai',
          '        model: gpt-4.1-mini',
          '    fallbacks: [nowhere]',
          '',
        ].join('\n'),
      );
      const result = await runCliInProcess(['config', 'check', file], {});
      expect(result.code).toBe(1);
      expect(result.stdout).toBe(
        `${file}: 2 errors\n` +
          `  ${file}:8:19  models[0].deployments[0].provider: unknown provider "opnai" (configured: openai)\n` +
          `  ${file}:10:17  models[0].fallbacks[0]: unknown model "nowhere"\n`,
      );
      expect((await runCliInProcess(['config', 'check', file, '--json'], {})).stdout).toContain('"line": 8');
      const broken = await runCliInProcess(['config', 'check', catalogFile('broken.yaml', 'models: [a\n')], {});
      expect(broken.code).toBe(1);
      expect(broken.stdout).toMatch(/broken\.yaml:\d+:\d+ {2}\(yaml\): /);
      const missing = await runCliInProcess(['config', 'check', join(work, 'nothing.yaml')], {});
      expect(missing).toMatchObject({ code: 1, stdout: expect.stringContaining('(file): ENOENT') });
    });

    it('config show prints the catalog the gateway serves and its limits, with no secret', async () => {
      const shown = await cli('config', 'show');
      expect(shown.code).toBe(0);
      expect(shown.stdout).toMatch(/^catalog\s+\/.*catalog\.yaml\ngeneration\s+1, loaded \d{4}-/);
      expect(shown.stdout).toMatch(
        /\nPROVIDER\s+TYPE\s+BASE URL\s+API KEY\n-+.*\nopenai\s+openai\s+http:\/\/127\.0\.0\.1:\d+\/v1\s+configured\n/,
      );
      expect(shown.stdout).toMatch(
        /\ngpt-test\s+-\s+chat\s+standard\s+1 in \/ 2 out per Mtok\s+openai\/gpt-test \(0, 1\)\s+-\s+1\s+600000\n/,
      );
      const summary = await json('config', 'show');
      expect(summary.catalog.providers[0]).toMatchObject({ id: 'openai', api_key: 'configured' });
      expect(JSON.stringify(summary)).not.toContain('sk-provider');
      expect(shown.stdout).not.toContain('sk-provider');
    });

    it('config reload asks the gateway to re-read its file', async () => {
      expect(await json('config', 'reload')).toEqual({ trigger: 'api', accepted: true, models: 1, error: null });
    });
  });

  describe('exit codes and errors', () => {
    it('2 for usage errors, 1 for API and connection failures, messages on stderr', async () => {
      expect(await runCliInProcess(['teams', 'list'], { SWITCHYARD_URL: gateway.baseUrl })).toEqual({
        code: 2,
        stdout: '',
        stderr: 'error: no admin key: set SWITCHYARD_ADMIN_KEY (or pass --admin-key)\n',
      });
      expect((await cli('budgets', 'get', '--scope', 'org', '--id', 'x')).code).toBe(2);
      expect((await cli('budgets', 'set', '--scope', 'key', '--id', 'x', '--limit-usd', 'lots')).code).toBe(2);
      expect((await cli('no-such-command')).code).toBe(2);
      expect((await cli('--help')).code).toBe(0);

      const wrongKey = await runCliInProcess(['teams', 'list'], {
        ...env,
        SWITCHYARD_ADMIN_KEY: 'wrong-admin-key-0123456789',
      });
      expect(wrongKey.code).toBe(1);
      expect(wrongKey.stderr).toMatch(/^error: .+ \(HTTP 401, /);
      expect(wrongKey.stderr).not.toContain('wrong-admin-key-0123456789');
      const closedPort = await new Promise<number>((resolve) => {
        const server = createServer().listen(0, '127.0.0.1', () => {
          const { port } = server.address() as AddressInfo;
          server.close(() => resolve(port));
        });
      });
      const unreachable = await runCliInProcess(['teams', 'list'], {
        ...env,
        SWITCHYARD_URL: `http://127.0.0.1:${closedPort}`,
      });
      expect(unreachable).toEqual({
        code: 1,
        stdout: '',
        stderr: expect.stringMatching(
          new RegExp(`^error: cannot reach http://127.0.0.1:${closedPort}/admin/teams: ECONNREFUSED`),
        ),
      });
    });

    it('the bin runs from the build as npm links it, with --url and --json', async () => {
      const result = await runCliBin(['teams', 'list', '--json', '--url', gateway.baseUrl], {
        env: { SWITCHYARD_ADMIN_KEY: TEST_ADMIN_KEY },
      });
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ object: 'list', data: expect.any(Array) });
      expect(readFileSync(cliBinPath(), 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
    });
  });

  describe('admin tokens', () => {
    it('issues a token once, lists it masked, and acts as it: whoami, a role’s refusal, rotation, revocation', async () => {
      expect(await json('whoami')).toMatchObject({ id: 'env:SWITCHYARD_ADMIN_KEY', role: 'owner' });
      const issued = await cli('tokens', 'create', '--name', 'ci-auditor', '--role', 'auditor');
      expect(issued.code).toBe(0);
      const token = /\ntoken\s+(sy-admin-\S+)\n/.exec(issued.stdout)![1];
      expect(issued.stderr).toContain('This token is shown once');
      const listed = await cli('tokens', 'list');
      expect(listed.stdout).toMatch(/sy-admin-\w{4}…\w{4}\s+ci-auditor\s+auditor\s+-\s+active/);
      expect(listed.stdout).not.toContain(token);

      const asAuditor = (...args: string[]) => runCliInProcess(args, { ...env, SWITCHYARD_ADMIN_KEY: token });
      expect((await asAuditor('whoami')).stdout).toMatch(/name\s+ci-auditor\nrole\s+auditor\nteams\s+all\n/);
      const refused = await asAuditor('teams', 'create', 'not-allowed');
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/^error: .+ \(HTTP 403, permission_denied\)\n$/);

      const id = (await json('tokens', 'list')).data.find((entry: any) => entry.name === 'ci-auditor').id;
      const rotated = await json('tokens', 'rotate', id);
      expect(rotated).toMatchObject({ rotated_from: id, role: 'auditor', token: expect.stringMatching(/^sy-admin-/) });
      expect((await asAuditor('whoami')).code).toBe(1);
      const revoked = await cli('tokens', 'revoke', rotated.id);
      expect(revoked.stdout).toMatch(/state\s+revoked 20/);
      expect((await cli('tokens', 'create', '--name', 'x', '--role', 'janitor')).code).toBe(2);
    });
  });

  describe('audit', () => {
    it('lists admin changes and verifies the chain: exit 0 intact, exit 1 naming the first bad event', async () => {
      const events = await json('audit', 'list', '--action', 'team.create', '--limit', '1');
      expect(events.data[0]).toMatchObject({ action: 'team.create', target_type: 'team' });
      const intact = await cli('audit', 'verify');
      expect(intact).toMatchObject({
        code: 0,
        stdout: expect.stringMatching(
          /^audit trail \(admin changes\): intact, \d+ events verified\naccess log \(admin calls\): intact, \d+ events verified\n$/,
        ),
      });

      const database = gateway.gateway.app.get(DataSource);
      await database.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only');
      await database.query(`UPDATE audit_events SET after = jsonb_set(after, '{name}', '"renamed"') WHERE id = 2`);
      await database.query('ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only');
      const broken = await cli('audit', 'verify');
      expect(broken.code).toBe(1);
      expect(broken.stdout).toMatch(
        /^audit trail \(admin changes\): BROKEN at event #2 \(\S+ on \S+ [0-9a-f-]+ by \S+ at \S+\): it was changed.*\naccess log \(admin calls\): intact/,
      );
      const report = JSON.parse((await cli('audit', 'verify', '--json')).stdout);
      expect(report).toMatchObject({
        ok: false,
        audit_events: { ok: false, first_bad_id: 2, first_bad_event: { id: 2 } },
        access_events: { ok: true, first_bad_id: null },
      });
      const calls = await json('audit', 'calls', '--route', '/admin/audit-events/verify', '--limit', '2');
      expect(calls.data).toEqual([
        expect.objectContaining({ method: 'GET', route: '/admin/audit-events/verify', outcome: 'allowed' }),
        expect.objectContaining({ method: 'GET', route: '/admin/audit-events/verify', outcome: 'allowed' }),
      ]);
    });
  });
});

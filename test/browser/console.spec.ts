import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { AlertsService, NewAlert } from '@app/alerts';
import { ANOMALY_DETECTION_ACTOR, ApiKeyService, TenancyService } from '@app/auth';
import type { Alert } from '../../apps/console/src/api/types';
import { formatMicroUsd } from '../../apps/console/src/format';
import { AnomalyDetectors } from '../../apps/gateway/src/alerts/detectors/anomaly-detectors';
import { eventually } from '../utils/eventually';
import { recordsOf } from '../utils/evidence';
import { ROUTING_PROVIDER_KEY, startUpstreams, Upstreams } from '../utils/routing-harness';
import { startTestGateway, TEST_ADMIN_KEY, TestGateway } from '../utils/test-gateway';
import { buildConsole, ConsoleBrowser, launchConsoleBrowser } from './console-browser';

// A browser step may wait up to the context's 15 s default for the page to show something.
jest.setTimeout(60_000);

/** Written by every run (gitignored); docs/images/ holds the two the README shows. */
const SCREENSHOTS = join(__dirname, 'screenshots');

/** A key-shaped string (sy-<kind>-<38 base62>), for checking that none was served or put into a URL. */
const KEY_SHAPE = /sy-(test|stg|prod|admin)-[0-9A-Za-z]{38}/;

const PRICE = { input_per_mtok: 50, output_per_mtok: 100 };

function catalog(providers: Upstreams['providers']) {
  return {
    providers,
    defaults: { retry: { max_attempts: 2, base_delay_ms: 10, max_delay_ms: 20 } },
    retry_budget: { min_retries: 1_000 },
    models: [
      {
        name: 'gpt-main',
        max_output_tokens: 100,
        pricing: PRICE,
        deployments: [{ provider: 'primary', model: 'gpt-main' }],
        fallbacks: ['gpt-backup'],
      },
      {
        name: 'gpt-backup',
        max_output_tokens: 100,
        pricing: PRICE,
        deployments: [{ provider: 'backup', model: 'gpt-backup' }],
      },
    ],
  };
}

async function signIn(page: Page, token: string): Promise<void> {
  await page.getByLabel('Admin token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('.whoami').waitFor();
}

/** Fills and submits one of the console's one-field "create by name" forms. */
async function createNamed(page: Page, form: string, name: string): Promise<void> {
  const named = page.getByRole('form', { name: form });
  await named.getByRole('textbox').fill(name);
  await named.getByRole('button', { name: 'Create' }).click();
}

/** A link of the console's navigation (pages link to each other too). */
function menu(page: Page, name: string) {
  return page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name });
}

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

describe('the web console, in Chromium against a running gateway', () => {
  let upstreams: Upstreams;
  let gateway: TestGateway;
  let browser: ConsoleBrowser;
  let page: Page;
  let gatewayKey = '';
  let projectId = '';
  let teamId = '';
  /** Every admin token the browser signed in with. */
  const signedInWith = [TEST_ADMIN_KEY];

  const chat = (key: string, model: string, requestId: string) =>
    fetch(`${gateway.baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'x-request-id': requestId },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: `hello from ${requestId}` }] }),
    });

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const [consoleDir, started] = await Promise.all([buildConsole(), startUpstreams('primary', 'backup')]);
    upstreams = started;
    gateway = await startTestGateway({
      catalog: catalog(upstreams.providers),
      env: { SWITCHYARD_CONSOLE_DIR: consoleDir, EVIDENCE_FLUSH_INTERVAL_MS: '20', QUOTA_FLUSH_INTERVAL_MS: '100' },
    });
    browser = await launchConsoleBrowser();
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: gateway.baseUrl });
    page = await browser.newPage();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await gateway?.close();
    await upstreams?.stop();
  });

  it('serves a page whose files carry the CSP and hold no secret, and signs in with the pasted admin key', async () => {
    const response = await page.goto(`${gateway.baseUrl}/console`);
    expect(response!.headers()['content-security-policy']).toContain("default-src 'self'; script-src 'self'");
    await page.getByLabel('Admin token').waitFor();

    const files = browser.log.requests.filter((request) => request.url().startsWith(`${gateway.baseUrl}/console`));
    expect(files.map((file) => new URL(file.url()).pathname.replace(/-[\w-]+\./, '-[hash].'))).toEqual(
      expect.arrayContaining(['/console', '/console/assets/index-[hash].js', '/console/assets/index-[hash].css']),
    );
    for (const file of files) {
      const body = await (await file.response())!.text();
      expect(body).not.toContain(TEST_ADMIN_KEY);
      expect(body).not.toContain(ROUTING_PROVIDER_KEY);
      expect(body).not.toMatch(KEY_SHAPE);
    }
    expect(await page.locator('script:not([src])').count()).toBe(0);
    await screenshot(page, 'sign-in');

    await signIn(page, TEST_ADMIN_KEY);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    expect(await page.locator('.whoami').textContent()).toContain('Owner');
    expect(await page.evaluate<string | null>("sessionStorage.getItem('switchyard.console.token')")).toBe(
      TEST_ADMIN_KEY,
    );
    expect(await page.evaluate<number>('localStorage.length')).toBe(0);
    // An empty gateway: every section says so instead of staying blank.
    await page.getByText('No usage this month yet.').waitFor();
    await page.getByText('No teams yet.').waitFor();
    await page.getByText('No alert to look at.').waitFor();
  });

  it('creates a team, a project and a key, and shows the key once, with a copy button', async () => {
    await menu(page, 'Teams & keys').click();
    await createNamed(page, 'New team', 'Payments');
    await page.getByRole('heading', { name: 'Payments' }).waitFor();
    teamId = new URL(page.url()).pathname.split('/').at(-1)!;
    await createNamed(page, 'New project', 'checkout');
    const project = page.getByRole('article', { name: 'Project checkout' });
    projectId = (await project.getAttribute('data-project-id'))!;

    await project.getByRole('button', { name: 'New key' }).click();
    const form = page.getByRole('dialog', { name: 'New key in checkout' });
    await form.getByLabel('Name', { exact: true }).fill('checkout-service');
    await form.getByLabel('Environment').selectOption('production');
    await form.getByLabel('Owner', { exact: false }).fill('alice@example.com');
    await form.getByRole('button', { name: 'Create key' }).click();

    const shown = page.getByTestId('issued-key');
    gatewayKey = (await shown.textContent())!.trim();
    expect(gatewayKey).toMatch(/^sy-prod-[0-9A-Za-z]{38}$/);
    await page.getByRole('button', { name: 'Copy', exact: true }).click();
    await page.getByRole('button', { name: 'Copied' }).waitFor();
    expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(gatewayKey);
    await page.getByRole('button', { name: 'I have stored it' }).click();
    await shown.waitFor({ state: 'detached' });

    const row = project.locator('tr', { hasText: 'checkout-service' });
    await row.waitFor();
    expect(await row.locator('.badge.env-production').textContent()).toBe('production');
    expect(await page.content()).not.toContain(gatewayKey);
  });

  it('sets a monthly budget on the project', async () => {
    const project = page.getByRole('article', { name: 'Project checkout' });
    await project.getByRole('button', { name: 'Budget & access', exact: true }).click();
    const settings = page.getByRole('dialog', { name: 'checkout: budget, limits and access' });
    const budget = settings.getByRole('form', { name: 'Budget' });
    await budget.getByLabel('Limit (USD)').fill('0.05');
    await budget.getByLabel('Period').selectOption('monthly');
    await budget.getByRole('button', { name: 'Save budget' }).click();
    await settings.getByText('Budget saved.').waitFor();
    await settings.locator('meter').waitFor();
    await settings.getByRole('button', { name: 'Close' }).click();

    const balance = await gateway.admin('GET', `/admin/projects/${projectId}/balance`);
    expect(balance.body).toMatchObject({ limit_usd: 0.05, period: 'monthly' });
  });

  it('shows the traffic of that key, with its cost, on the overview and the requests page', async () => {
    for (let i = 1; i <= 4; i++) expect((await chat(gatewayKey, 'gpt-main', `console-ok-${i}`)).status).toBe(200);
    upstreams.fakes.primary.script({ status: 503 }, { status: 503 });
    const fallback = await chat(gatewayKey, 'gpt-main', 'console-fallback');
    expect(fallback.headers.get('x-switchyard-model')).toBe('gpt-backup');
    expect((await chat(gatewayKey, 'no-such-model', 'console-unknown-model')).status).toBe(404);
    await recordsOf(gateway, 'console-unknown-model');
    const records = (await gateway.admin('GET', `/admin/requests?key_id=${await keyId()}`)).body.data as any[];
    expect(records).toHaveLength(6);
    const spentMicros = records.reduce((sum, record) => sum + (record.cost_micro_usd ?? 0), 0);
    expect(spentMicros).toBeGreaterThan(0);
    // Settled costs reach the budget's ledger every QUOTA_FLUSH_INTERVAL_MS.
    await eventually(
      () => gateway.admin('GET', `/admin/projects/${projectId}/balance`),
      (balance) => balance.body.spent_usd * 1e6 === spentMicros,
    );

    await menu(page, 'Overview').click();
    const budgetRow = page.getByTestId('budgets').locator('tr', { hasText: 'checkout' });
    await budgetRow.waitFor();
    expect(await budgetRow.locator('.budget-percent').textContent()).toBe(
      `${Math.round((spentMicros / 1e6 / 0.05) * 1000) / 10}%`,
    );
    const topKey = page.getByTestId('top-keys').locator('tr', { hasText: 'checkout-service' });
    await topKey.waitFor();
    expect(await topKey.textContent()).toContain(formatMicroUsd(spentMicros));
    const topOwner = page.getByTestId('top-owners').locator('tr', { hasText: 'alice@example.com' });
    expect(await topOwner.textContent()).toContain(formatMicroUsd(spentMicros));
    await page.getByText('6 requests.').waitFor();
    expect(await page.locator('.chart canvas').count()).toBeGreaterThanOrEqual(4);
    await screenshot(page, 'overview');

    await menu(page, 'Requests').click();
    const table = page.getByTestId('requests');
    await table.waitFor();
    for (const record of records) {
      const row = table.locator(`tr[data-request-id="${record.request_id}"]`);
      expect(await row.textContent()).toContain(formatMicroUsd(record.cost_micro_usd));
    }
    await screenshot(page, 'requests');
  });

  it('shows every attempt of a fallback request in its detail view', async () => {
    await page.locator('tr[data-request-id="console-fallback"] a').click();
    const detail = page.getByTestId('request-detail');
    await detail.waitFor();
    expect(new URL(page.url()).pathname).toBe('/console/requests/console-fallback');
    const attempts = page.getByTestId('attempts').locator('tbody tr');
    expect(await attempts.allTextContents()).toEqual([
      expect.stringMatching(/^1primary\/gpt-main503upstream_unavailable[\d.]+ m?s$/),
      expect.stringMatching(/^2primary\/gpt-main503upstream_unavailable[\d.]+ m?s$/),
      expect.stringMatching(/^3backup\/gpt-backup200—[\d.]+ m?s$/),
    ]);
    const [record] = await recordsOf(gateway, 'console-fallback');
    const text = (await detail.textContent())!;
    expect(text).toContain('fallback: upstream_5xx');
    expect(text).toContain(record.masked_key);
    expect(text).toContain(formatMicroUsd(record.cost_micro_usd));
    // Local time on the page, the exact UTC time on hover.
    const received = detail.locator('time').first();
    expect(await received.getAttribute('title')).toBe(
      `${new Date(record.created_at).toISOString().replace('T', ' ').replace('Z', '')} UTC`,
    );
    expect(await received.textContent()).not.toContain('UTC');
    await screenshot(page, 'request-detail');
  });

  it('exports the current filter as CSV, fetched with the token in a header', async () => {
    await page.getByRole('link', { name: '← Requests' }).click();
    const filters = page.getByRole('form', { name: 'Filters' });
    await filters.getByLabel('Model (requested or served)').fill('gpt-backup');
    await filters.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/\/console\/requests\?model=gpt-backup$/);
    await page.getByTestId('requests').locator('tr[data-request-id="console-fallback"]').waitFor();

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    const lines = readFileSync(await download.path(), 'utf8')
      .trim()
      .split('\n');
    expect(lines[0]).toMatch(/^id,created_at,request_id,/);
    expect(lines.slice(1).map((line) => line.split(',')[2])).toEqual(['console-fallback']);
  });

  it('narrows the requests by status class, by fallback and by owner, in the URL and the export', async () => {
    const filters = page.getByRole('form', { name: 'Filters' });
    const shown = () =>
      page
        .getByTestId('requests')
        .locator('tbody tr')
        .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-request-id')));
    await filters.getByRole('button', { name: 'Clear' }).click();
    await page.waitForURL(/\/console\/requests$/);
    await page.getByTestId('requests').locator('tr[data-request-id="console-fallback"]').waitFor();
    expect(await shown()).toHaveLength(6);

    await filters.getByLabel('Status class').selectOption('4xx');
    await filters.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/\/console\/requests\?status=4xx$/);
    await page.getByTestId('requests').locator('tr[data-request-id="console-unknown-model"]').waitFor();
    expect(await shown()).toEqual(['console-unknown-model']);
    expect(await filters.getByLabel('Status class').inputValue()).toBe('4xx');

    await filters.getByLabel('Status class').selectOption('');
    await filters.getByLabel('Fallback').selectOption('true');
    await filters.getByLabel('Owner').fill('alice@example.com');
    await filters.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/\/console\/requests\?owner=alice%40example\.com&fallback=true$/);
    await page.getByTestId('requests').locator('tr[data-request-id="console-fallback"]').waitFor();
    expect(await shown()).toEqual(['console-fallback']);
    await screenshot(page, 'requests-filtered');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export JSONL' }).click(),
    ]);
    const exported = readFileSync(await download.path(), 'utf8')
      .trim()
      .split('\n');
    expect(exported.map((line) => (JSON.parse(line) as { request_id: string }).request_id)).toEqual([
      'console-fallback',
    ]);

    await filters.getByLabel('Fallback').selectOption('false');
    await filters.getByLabel('Exact status').fill('200');
    await filters.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/status=200&fallback=false$/);
    await page.getByTestId('requests').locator('tr[data-request-id="console-ok-1"]').waitFor();
    expect((await shown()).sort()).toEqual(['console-ok-1', 'console-ok-2', 'console-ok-3', 'console-ok-4']);
  });

  it('lists the admin changes in the audit trail, with the hash chain verified', async () => {
    await menu(page, 'Teams & keys').click();
    await page.getByRole('article', { name: 'Project checkout' }).locator('meter').waitFor();
    await screenshot(page, 'teams');

    await menu(page, 'Audit trail').click();
    expect(await page.getByTestId('chain-status').textContent()).toMatch(/^✓ Chain verified: 4 changes/);
    const events = page.getByTestId('audit-events');
    await events.waitFor();
    const actions = await events.locator('tbody tr td:nth-child(4)').allTextContents();
    expect(actions).toEqual(['budget.set', 'key.create', 'project.create', 'team.create']);
    expect(await events.locator('tbody tr').first().textContent()).toContain('Owner');
    await screenshot(page, 'audit');

    // Reads are in the access log too: the export above, with its filter.
    await page.getByRole('button', { name: 'Admin calls' }).click();
    await page.getByText(/^✓ Chain verified: \d+ calls/).waitFor();
    const exportCall = page
      .getByTestId('access-events')
      .locator('tr', { hasText: 'GET /admin/requests/export' })
      .filter({ hasText: 'format=csv' });
    expect(await exportCall.textContent()).toMatch(/allowed.*format=csv/);
    await screenshot(page, 'audit-calls');
  });

  it('shows the configuration to the owner: providers without their keys, models with their routes', async () => {
    await menu(page, 'Configuration').click();
    const providers = page.getByTestId('providers');
    await providers.waitFor();
    for (const id of ['primary', 'backup']) {
      expect(await providers.locator(`tr[data-provider="${id}"]`).textContent()).toMatch(
        new RegExp(`^${id}openaihttp://127\\.0\\.0\\.1:\\d+/v1configured—$`),
      );
    }
    const main = page.getByTestId('models').locator('tr[data-model="gpt-main"]');
    expect(await main.textContent()).toContain('primary/gpt-main');
    expect(await main.textContent()).toContain('gpt-backup');
    expect(await main.textContent()).toContain('$50.00 in / $100.00 out per M tokens');
    expect(await page.getByRole('definition').filter({ hasText: 'catalog.yaml' }).count()).toBe(1);
    expect(await page.content()).not.toContain(ROUTING_PROVIDER_KEY);
    await screenshot(page, 'config');

    await page.getByRole('button', { name: 'Reload catalog file' }).click();
    await page.getByText('Reloaded: 2 models.').waitFor();
    await page.getByText(/^2 \(1 at start/).waitFor();
  });

  /** An alert as the budget-threshold check raises it, through the alerts lib's own API. */
  const raiseAlert = (alert: Partial<NewAlert> & Pick<NewAlert, 'subject' | 'dedupe_key'>) =>
    gateway.gateway.app.get(AlertsService).raise({
      kind: 'budget_threshold',
      details: {
        level: alert.subject.type,
        period: 'monthly',
        threshold_percent: 80,
        limit_usd: 0.05,
        spent_usd: 0.0412,
      },
      ...alert,
    });

  it('lists alerts on the overview and the alerts page, and the owner acknowledges one', async () => {
    expect(await raiseAlert({ subject: { type: 'project', id: projectId }, dedupe_key: 'console-80' })).toBe('raised');
    expect(
      await raiseAlert({
        subject: { type: 'project', id: projectId },
        details: { level: 'project', period: 'monthly', threshold_percent: 100, limit_usd: 0.05, spent_usd: 0.0503 },
        dedupe_key: 'console-100',
      }),
    ).toBe('raised');

    // The gateway's own: the fallback above was the key's first answer from gpt-backup (checkNow stands for the
    // detectors' next timer turn).
    await gateway.gateway.app.get(AnomalyDetectors).checkNow();
    const sightings = (await gateway.admin('GET', '/admin/alerts?kind=new_model')).body.data as Alert[];
    expect(sightings.map((alert) => alert.details.model)).toEqual(['gpt-backup']);

    await menu(page, 'Overview').click();
    const recent = page.getByRole('region', { name: 'Recent alerts' }).getByTestId('alerts');
    await recent.waitFor();
    expect(await recent.locator('tbody tr').count()).toBe(3);

    await menu(page, 'Alerts').click();
    const alerts = page.getByTestId('alerts');
    await alerts.waitFor();
    const rows = alerts.locator('tbody tr');
    expect(await rows.count()).toBe(3);
    const eighty = rows.filter({ hasText: '80 % of the monthly budget' });
    expect(await eighty.textContent()).toMatch(/Budget threshold.*project checkout.*\$0\.0412 of \$0\.05.*no webhook/s);
    await screenshot(page, 'alerts');

    await eighty.getByRole('button', { name: 'Acknowledge' }).click();
    await eighty.waitFor({ state: 'detached' });
    expect(await rows.count()).toBe(2);
    const filters = page.getByRole('form', { name: 'Filters' });
    await filters.getByLabel('State').selectOption('true');
    await filters.getByRole('button', { name: 'Filter' }).click();
    const acknowledged = page.getByTestId('alerts').locator('tbody tr');
    await acknowledged.filter({ hasText: '80 %' }).waitFor();
    expect(await acknowledged.textContent()).toContain('by Admin key (environment)');
    const trail = await gateway.admin('GET', '/admin/audit-events?action=alert.acknowledge');
    expect(trail.body.data).toHaveLength(1);
  });

  async function keyId(): Promise<string> {
    const keys = await gateway.admin('GET', `/admin/keys?project_id=${projectId}`);
    return keys.body.data[0].id;
  }

  const issueToken = async (body: object): Promise<string> => {
    const created = await gateway.admin('POST', '/admin/tokens', body);
    expect(created.status).toBe(201);
    signedInWith.push(created.body.token);
    return created.body.token;
  };

  describe('roles', () => {
    it('an auditor sees every page without a write control, and both audit chains verified', async () => {
      const token = await issueToken({ name: 'finance audit', role: 'auditor' });
      const auditor = await browser.newPage();
      await auditor.goto(`${gateway.baseUrl}/console/teams/${teamId}`);
      await signIn(auditor, token);
      expect(await auditor.locator('.whoami').textContent()).toContain('Auditor');
      await auditor.getByText('Read-only: your role can look, not change.').waitFor();
      const project = auditor.getByRole('article', { name: 'Project checkout' });
      await project.locator('tr', { hasText: 'checkout-service' }).waitFor();
      for (const name of ['New key', 'Rotate', 'Revoke', 'Create']) {
        const count = await auditor.getByRole('button', { name, exact: true }).count();
        expect({ name, count }).toEqual({ name, count: 0 });
      }
      await project.getByRole('button', { name: 'Budget & access (read-only)' }).click();
      const settings = auditor.getByRole('dialog', { name: 'checkout: budget, limits and access' });
      await settings.locator('meter').waitFor();
      expect(await settings.getByRole('button', { name: /^Save|^Remove|^Use defaults/ }).count()).toBe(0);
      await settings.getByRole('button', { name: 'Close' }).click();
      await screenshot(auditor, 'auditor-teams');

      await menu(auditor, 'Configuration').click();
      await auditor.getByTestId('models').locator('tr[data-model="gpt-backup"]').waitFor();
      expect(await auditor.getByRole('button', { name: 'Reload catalog file' }).count()).toBe(0);
      await screenshot(auditor, 'auditor-config');

      await menu(auditor, 'Alerts').click();
      const alert = auditor.getByTestId('alerts').locator('tbody tr', { hasText: '100 % of the monthly budget' });
      await alert.waitFor();
      expect(await alert.textContent()).toContain('not yet');
      expect(await auditor.getByRole('button', { name: 'Acknowledge' }).count()).toBe(0);

      await menu(auditor, 'Audit trail').click();
      expect(await auditor.getByTestId('chain-status').textContent()).toMatch(/^✓ Chain verified/);
      await auditor.getByRole('button', { name: 'Admin calls' }).click();
      await auditor.getByText(/^✓ Chain verified: \d+ calls/).waitFor();
      // The auditor's own reads, attributed to its token and role.
      const ownRead = auditor.getByTestId('access-events').locator('tr', { hasText: 'GET /admin/teams' }).first();
      expect(await ownRead.textContent()).toMatch(/finance audit\s*Auditor/);
      await auditor.close();
    });

    it('a team admin sees its own teams, and nothing of the others', async () => {
      const other = await gateway.createKey({ environment: 'staging' });
      expect((await chat(other.key, 'gpt-main', 'console-other-team')).status).toBe(200);
      await recordsOf(gateway, 'console-other-team');
      const teams = (await gateway.admin('GET', '/admin/teams')).body.data as any[];
      const otherTeam = teams.find((team) => team.id === other.teamId);
      const token = await issueToken({ name: 'payments lead', role: 'team_admin', team_ids: [teamId] });

      const lead = await browser.newPage();
      await lead.goto(`${gateway.baseUrl}/console/teams`);
      await signIn(lead, token);
      expect(await lead.locator('.whoami').textContent()).toContain('Team admin');
      await lead.getByRole('heading', { name: 'Payments' }).waitFor();
      expect(await lead.locator('.team-list a').allTextContents()).toEqual(['Payments']);
      // The audit logs and the configuration are about every team: not for a team admin.
      expect(await menu(lead, 'Audit trail').count()).toBe(0);
      expect(await menu(lead, 'Configuration').count()).toBe(0);

      // Its team's alert, not the other team's.
      expect(await raiseAlert({ subject: { type: 'team', id: other.teamId }, dedupe_key: 'console-other' })).toBe(
        'raised',
      );
      await menu(lead, 'Alerts').click();
      const alerts = lead.getByTestId('alerts').locator('tbody tr');
      await alerts.filter({ hasText: '100 % of the monthly budget' }).waitFor();
      // Its project's budget alert and its key's new model (gpt-backup); the 80 % one was acknowledged.
      expect(await alerts.count()).toBe(2);
      expect(await lead.getByTestId('alerts').textContent()).not.toContain(other.teamId);
      expect(await lead.getByRole('button', { name: 'Acknowledge' }).count()).toBe(2);

      await menu(lead, 'Requests').click();
      await lead.getByTestId('requests').locator('tr[data-request-id="console-fallback"]').waitFor();
      expect(await lead.locator('tr[data-request-id="console-other-team"]').count()).toBe(0);
      const filters = lead.getByRole('form', { name: 'Filters' });
      expect(await filters.getByLabel('Team').locator('option').allTextContents()).toEqual(['Any', 'Payments']);

      await menu(lead, 'Overview').click();
      await lead.getByTestId('top-keys').locator('tr', { hasText: 'checkout-service' }).waitFor();
      expect(await lead.content()).not.toContain(otherTeam.name);
      await lead.close();
    });
  });

  describe('suspension by anomaly detection', () => {
    /** A suspension as the anomaly detectors make it (the e2e specs suspend the same way). */
    const anomaly = { reason: 'spend 12x the baseline in the 5-minute window', by: ANOMALY_DETECTION_ACTOR };
    const longAgo = new Date(0);
    const utcTitle = (iso: string) => `${new Date(iso).toISOString().replace('T', ' ').replace('Z', '')} UTC`;
    const teamPage = (on: Page) => on.goto(`${gateway.baseUrl}/console/teams/${teamId}`);
    const checkout = (on: Page) => on.getByRole('article', { name: 'Project checkout' });
    const keyRow = (on: Page) => checkout(on).locator('tr', { hasText: 'checkout-service' });

    it('sets the project to suspend on anomalies, and the setting is saved and shown again', async () => {
      await teamPage(page);
      await checkout(page).getByText('On anomaly: alert only').waitFor();
      await checkout(page).getByRole('button', { name: 'Budget & access', exact: true }).click();
      const settings = page.getByRole('dialog', { name: 'checkout: budget, limits and access' });
      const form = settings.getByRole('form', { name: 'Anomaly detection' });
      expect(await form.getByLabel('On anomaly').inputValue()).toBe('none');
      await form.getByLabel('On anomaly').selectOption('suspend');
      await form.getByRole('button', { name: 'Save anomaly action' }).click();
      await settings.getByText('Anomaly action saved.').waitFor();
      await settings.getByRole('button', { name: 'Close' }).click();
      await checkout(page).getByText('On anomaly: alert and suspend').waitFor();

      const projects = (await gateway.admin('GET', `/admin/projects?team_id=${teamId}`)).body.data as any[];
      expect(projects.find((project) => project.id === projectId)).toMatchObject({ on_anomaly: 'suspend' });
      // Opened again after a reload, the select starts on the saved value, not on the first option.
      await page.reload();
      await checkout(page).getByRole('button', { name: 'Budget & access', exact: true }).click();
      expect(await form.getByLabel('On anomaly').inputValue()).toBe('suspend');
      await settings.getByRole('button', { name: 'Close' }).click();
    });

    it('shows a suspended key with why and since when; an auditor cannot resume it, the owner does', async () => {
      const id = await keyId();
      expect(await gateway.gateway.app.get(ApiKeyService).suspend([id], anomaly, longAgo)).toHaveLength(1);
      expect((await chat(gatewayKey, 'gpt-main', 'console-suspended')).status).toBe(403);
      const suspendedAt = (await gateway.admin('GET', `/admin/keys?project_id=${projectId}`)).body.data[0]
        .suspended_at as string;

      await teamPage(page);
      const row = keyRow(page);
      await row.locator('.badge.key-suspended').waitFor();
      const details = row.getByTestId('suspension');
      expect(await details.textContent()).toMatch(
        new RegExp(`^${anomaly.reason} by System \\(anomaly-detection\\), since `),
      );
      expect(await details.locator('time').getAttribute('title')).toBe(utcTitle(suspendedAt));
      await screenshot(page, 'suspended-key');

      const auditor = await browser.newPage();
      await teamPage(auditor);
      await signIn(auditor, await issueToken({ name: 'security audit', role: 'auditor' }));
      await keyRow(auditor).locator('.badge.key-suspended').waitFor();
      expect(await keyRow(auditor).getByTestId('suspension').textContent()).toContain(anomaly.reason);
      expect(await auditor.getByRole('button', { name: 'Resume', exact: true }).count()).toBe(0);
      await auditor.close();

      await row.getByRole('button', { name: 'Resume', exact: true }).click();
      const confirm = page.getByRole('dialog', { name: 'Resume checkout-service?' });
      await confirm.getByRole('button', { name: 'Resume key' }).click();
      await row.locator('.badge.key-active').waitFor();
      expect(await row.getByTestId('suspension').count()).toBe(0);
      expect(await row.getByRole('button', { name: 'Resume', exact: true }).count()).toBe(0);
      expect((await chat(gatewayKey, 'gpt-main', 'console-resumed')).status).toBe(200);

      await menu(page, 'Audit trail').click();
      const latest = page.getByTestId('audit-events').locator('tbody tr').first();
      await latest.waitFor();
      expect(await latest.locator('td:nth-child(4)').textContent()).toBe('key.resume');
      expect(await latest.textContent()).toContain('Admin key (environment)');
    });

    it('shows a suspended project over its keys, and the owner resumes it', async () => {
      expect(await gateway.gateway.app.get(TenancyService).suspendProject(projectId, anomaly, longAgo)).not.toBeNull();
      expect((await chat(gatewayKey, 'gpt-main', 'console-project-suspended')).status).toBe(403);

      await teamPage(page);
      const notice = checkout(page).getByTestId('project-suspension');
      await notice.waitFor();
      expect(await notice.textContent()).toContain(anomaly.reason);
      expect(await keyRow(page).textContent()).toContain('refused: its project is suspended');
      await screenshot(page, 'suspended-project');

      await notice.getByRole('button', { name: 'Resume project' }).click();
      await page
        .getByRole('dialog', { name: 'Resume checkout?' })
        .getByRole('button', { name: 'Resume project' })
        .click();
      await notice.waitFor({ state: 'detached' });
      expect(await keyRow(page).textContent()).not.toContain('refused');
      expect((await chat(gatewayKey, 'gpt-main', 'console-project-resumed')).status).toBe(200);
      const trail = await gateway.admin('GET', `/admin/audit-events?action=project.resume&target_id=${projectId}`);
      expect(trail.body.data).toHaveLength(1);
    });
  });

  it('never put a token or key into a URL, sent tokens only as a header, and broke no CSP rule', () => {
    const urls = browser.log.requests.map((request) => decodeURIComponent(request.url()));
    expect(urls.length).toBeGreaterThan(20);
    for (const url of urls) {
      for (const token of signedInWith) expect(url).not.toContain(token);
      expect(url).not.toContain(gatewayKey);
      expect(url).not.toMatch(KEY_SHAPE);
    }
    const adminCalls = browser.log.requests.filter((request) => new URL(request.url()).pathname.startsWith('/admin/'));
    expect(adminCalls.length).toBeGreaterThan(10);
    const presented = new Set(adminCalls.map((call) => call.headers().authorization));
    expect([...presented].sort()).toEqual(signedInWith.map((token) => `Bearer ${token}`).sort());
    expect(browser.log.errors).toEqual([]);
  });
});

import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { createTestDatabase, TestDatabase } from '../utils/test-database';
import { startTestGateway, TEST_ADMIN_KEY, TestGateway } from '../utils/test-gateway';

/** Secrets planted in every place the configuration can hold one; none may appear in the summary. */
const PROVIDER_KEY = 'sk-planted-provider-key-7f3a9c1e5b';
const ENV_PROVIDER_KEY = 'sk-planted-env-provider-key-2d8e4f6a';
const HEADER_VALUE = 'planted-header-value-91b2c3';
const URL_PASSWORD = 'planted-url-password-44d1';
const URL_QUERY_TOKEN = 'planted-query-token-8e0f';
const REDIS_PASSWORD = 'planted-redis-password-5c7a';
const DATABASE_PASSWORD = 'planted-database-password-3b9d';
const WEBHOOK_PATH = 'planted-webhook-path-T000B000';
const WEBHOOK_SECRET = 'planted-webhook-secret-6e1f0a';
const PLANTED = [
  PROVIDER_KEY,
  ENV_PROVIDER_KEY,
  HEADER_VALUE,
  URL_PASSWORD,
  URL_QUERY_TOKEN,
  REDIS_PASSWORD,
  DATABASE_PASSWORD,
  WEBHOOK_PATH,
  WEBHOOK_SECRET,
  TEST_ADMIN_KEY,
];

const PRICE = { input_per_mtok: 2.5, output_per_mtok: 10, cached_input_per_mtok: 1.25 };

function catalog(extraModel?: object) {
  return {
    defaults: { timeouts: { total_ms: 90_000 } },
    alerts: {
      webhooks: [{ url: `https://hooks.example.com/services/${WEBHOOK_PATH}`, secret: WEBHOOK_SECRET }],
      budget_thresholds: [80, 100],
    },
    providers: [
      {
        id: 'openai',
        type: 'openai',
        base_url: `https://ops:${URL_PASSWORD}@api.example.com/v1?token=${URL_QUERY_TOKEN}`,
        api_key: PROVIDER_KEY,
        headers: { 'X-Org-Secret': HEADER_VALUE },
      },
      // `${ENV}` interpolation: the value the variable holds must not come back either.
      { id: 'claude', type: 'anthropic', base_url: 'https://api.anthropic.com', api_key: '${CONFIG_TEST_KEY}' },
      { id: 'keyless', type: 'openai-compatible', base_url: 'http://vllm.internal:8000/v1' },
      { id: 'demo', type: 'mock' },
    ],
    models: [
      {
        name: 'gpt-main',
        aliases: ['main'],
        tier: 'premium',
        max_output_tokens: 2_000,
        pricing: PRICE,
        deployments: [
          { provider: 'openai', model: 'gpt-4.1', weight: 3, priority: 0 },
          {
            provider: 'keyless',
            model: 'llama',
            priority: 1,
            pricing: [
              { input_per_mtok: 1, output_per_mtok: 2 },
              { effective_from: '2026-01-01', input_per_mtok: 0.5, output_per_mtok: 1 },
            ],
          },
        ],
        fallbacks: ['claude-backup'],
        retry: { max_attempts: 2 },
      },
      { name: 'claude-backup', deployments: [{ provider: 'claude', model: 'claude-sonnet-4' }] },
      {
        name: 'picture',
        kind: 'image',
        pricing: { per_image: { '1024x1024': 0.04, default: 0.05 } },
        deployments: [{ provider: 'demo', model: 'image-1' }],
      },
      ...(extraModel ? [extraModel] : []),
    ],
  };
}

describe('GET /admin/config: the configuration summary, without secrets', () => {
  let database: TestDatabase;
  let gateway: TestGateway;
  let configFile: string;

  const as = async (token: string, method: string, path: string) => {
    const response = await fetch(gateway.baseUrl + path, { method, headers: { authorization: `Bearer ${token}` } });
    const text = await response.text();
    return { status: response.status, text, body: text ? JSON.parse(text) : null };
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    // Postgres trusts local connections here, so a password in the URL is accepted and ignored.
    const databaseUrl = new URL(database.url);
    databaseUrl.username = 'postgres';
    databaseUrl.password = DATABASE_PASSWORD;
    gateway = await startTestGateway({
      catalog: catalog(),
      database,
      env: {
        DATABASE_URL: databaseUrl.toString(),
        CONFIG_TEST_KEY: ENV_PROVIDER_KEY,
        REDIS_URL: `redis://:${REDIS_PASSWORD}@127.0.0.1:6379/0`,
        BODY_LIMIT_BYTES: '1048576',
        DATABASE_OUTAGE_GRACE_MS: '120000',
        RATE_LIMIT_KEY_RPM: '600',
        RATE_LIMIT_REDIS_FAILURE: 'closed',
      },
    });
    configFile = (await gateway.admin('GET', '/admin/config')).body.catalog.source;
  });

  afterAll(async () => {
    await gateway?.close();
    await database?.drop();
  });

  it('shows the catalog an operator needs: file, generation, providers, models, prices, routing', async () => {
    const { status, body } = await gateway.admin('GET', '/admin/config');
    expect(status).toBe(200);
    expect(body.catalog).toMatchObject({
      source: expect.stringMatching(/^\/.*catalog\.yaml$/),
      generation: 1,
      loaded_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      retry_budget: { ratio: 0.2, min_retries: 10, window_ms: 10_000 },
      alerts: {
        webhooks: [{ origin: 'https://hooks.example.com' }],
        budget_thresholds: [80, 100],
        anomaly: { window_s: 300, factor: 10, min_requests: 20 },
      },
    });
    expect(body.catalog.providers).toEqual([
      {
        id: 'openai',
        type: 'openai',
        base_url: 'https://api.example.com/v1',
        api_key: 'configured',
        headers: ['X-Org-Secret'],
        max_sockets: 512,
      },
      {
        id: 'claude',
        type: 'anthropic',
        base_url: 'https://api.anthropic.com',
        api_key: 'configured',
        headers: [],
        max_sockets: 512,
      },
      {
        id: 'keyless',
        type: 'openai-compatible',
        base_url: 'http://vllm.internal:8000/v1',
        api_key: 'missing',
        headers: [],
        max_sockets: 512,
      },
      { id: 'demo', type: 'mock', base_url: null, api_key: null, headers: [], max_sockets: 512 },
    ]);
    const [main, backup, picture] = body.catalog.models;
    expect(main).toEqual({
      name: 'gpt-main',
      aliases: ['main'],
      tier: 'premium',
      kind: 'chat',
      max_output_tokens: 2_000,
      pricing: [{ effective_from: null, ...PRICE }],
      deployments: [
        { provider: 'openai', model: 'gpt-4.1', weight: 3, priority: 0, pricing: null },
        {
          provider: 'keyless',
          model: 'llama',
          weight: 1,
          priority: 1,
          pricing: [
            { effective_from: null, input_per_mtok: 1, output_per_mtok: 2, cached_input_per_mtok: null },
            {
              effective_from: '2026-01-01T00:00:00.000Z',
              input_per_mtok: 0.5,
              output_per_mtok: 1,
              cached_input_per_mtok: null,
            },
          ],
        },
      ],
      fallbacks: ['claude-backup'],
      timeouts: { connect_ms: 5_000, ttfb_ms: 60_000, idle_ms: 60_000, total_ms: 90_000 },
      retry: { max_attempts: 2, base_delay_ms: 200, max_delay_ms: 2_000 },
      health: { failure_threshold: 5, cooldown_ms: 10_000, max_cooldown_ms: 300_000 },
    });
    expect(backup).toMatchObject({ name: 'claude-backup', aliases: [], tier: null, pricing: null });
    expect(picture).toMatchObject({
      kind: 'image',
      pricing: [{ effective_from: null, per_image: { '1024x1024': 0.04, default: 0.05 } }],
    });
  });

  it("shows this instance's effective limits, with connection strings reduced to where they point", async () => {
    const { body } = await gateway.admin('GET', '/admin/config');
    expect(body.limits).toEqual({
      requests: {
        body_limit_bytes: 1_048_576,
        request_timeout_ms: 30_000,
        client_stall_timeout_ms: 30_000,
        overload_max_in_flight: 4_000,
        overload_max_lag_ms: null,
        max_streams_per_key: null,
      },
      rate_limits: {
        store: 'redis',
        redis: 'redis://127.0.0.1:6379/0',
        on_redis_failure: 'closed',
        instances: 1,
        redis_timeout_ms: 200,
        defaults: {
          key: { rpm: 600, tpm: null },
          project: { rpm: null, tpm: null },
          team: { rpm: null, tpm: null },
        },
      },
      budgets: { lease_chunk_usd: 1, reservation_ttl_ms: 60_000, flush_interval_ms: 1_000, policy_cache_ms: 5_000 },
      database: { store: 'external', outage_grace_ms: 120_000 },
      evidence: { retention_days: 90 },
      auth: { key_cache_ms: 5_000 },
    });
  });

  it('holds no planted secret anywhere in the body, for the owner or an auditor', async () => {
    const auditor = await gateway.admin('POST', '/admin/tokens', { name: 'config audit', role: 'auditor' });
    const owner = await as(TEST_ADMIN_KEY, 'GET', '/admin/config');
    const asAuditor = await as(auditor.body.token, 'GET', '/admin/config');
    expect(asAuditor.status).toBe(200);
    expect(asAuditor.body).toEqual(owner.body);
    for (const secret of PLANTED)
      expect({ secret, found: owner.text.includes(secret) }).toEqual({ secret, found: false });
    expect(owner.text).not.toMatch(/sk-|sy-admin-|password|token=/);
  });

  it('is for owners and auditors: a team admin gets 403, as on every global route', async () => {
    const team = await gateway.admin('POST', '/admin/teams', { name: 'config-team' });
    const lead = await gateway.admin('POST', '/admin/tokens', {
      name: 'lead',
      role: 'team_admin',
      team_ids: [team.body.id],
    });
    const answer = await as(lead.body.token, 'GET', '/admin/config');
    expect(answer.status).toBe(403);
    expect(answer.text).not.toContain('gpt-main');
  });

  it('follows a reload: the next generation, its load time and its models', async () => {
    const before = (await gateway.admin('GET', '/admin/config')).body.catalog;
    writeFileSync(
      configFile,
      stringify(catalog({ name: 'gpt-extra', deployments: [{ provider: 'demo', model: 'echo' }] })).replace(
        // The file as written holds the ${ENV} reference, as an operator's would; the test env is gone now.
        '${CONFIG_TEST_KEY}',
        ENV_PROVIDER_KEY,
      ),
    );
    expect((await gateway.admin('POST', '/admin/config/reload')).status).toBe(200);
    const after = (await gateway.admin('GET', '/admin/config')).body.catalog;
    expect(after.generation).toBe(before.generation + 1);
    expect(Date.parse(after.loaded_at)).toBeGreaterThanOrEqual(Date.parse(before.loaded_at));
    expect(after.models.map((model: { name: string }) => model.name)).toEqual([
      'gpt-main',
      'claude-backup',
      'picture',
      'gpt-extra',
    ]);
    expect(JSON.stringify(after)).not.toContain(ENV_PROVIDER_KEY);

    // A rejected file changes nothing.
    writeFileSync(configFile, 'providers: []\n');
    expect((await gateway.admin('POST', '/admin/config/reload')).status).toBe(400);
    expect((await gateway.admin('GET', '/admin/config')).body.catalog.generation).toBe(after.generation);
  });
});

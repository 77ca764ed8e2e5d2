import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { stringify } from 'yaml';
import { createGateway, Gateway } from '../../apps/gateway/src/bootstrap';
import { createTestDatabase, TestDatabase } from './test-database';

export const TEST_ADMIN_KEY = 'test-admin-key-0123456789abcdef';

export interface TestGatewayOptions {
  /** The catalog (providers, models) as an object; written to a temporary YAML file. */
  catalog: object;
  /** Extra environment for this gateway (settings under test). */
  env?: Record<string, string>;
  /** Share a database with another gateway instance. */
  database?: TestDatabase;
  /** Runs on the initialised gateway before it listens: the last moment routes can still be added. */
  beforeListen?: (gateway: Gateway) => void;
  /** How the harnesses call this gateway's `/v1` routes: a `WireCheck`'s fetch checks what it answers. */
  fetch?: typeof fetch;
}

/** A whole gateway on a real socket, a fresh Postgres database, and every log line it wrote. */
export interface TestGateway {
  baseUrl: string;
  gateway: Gateway;
  database: TestDatabase;
  /** The `fetch` of the options (by default the global one), for the harnesses' `/v1` calls. */
  fetch: typeof fetch;
  /**
   * Every log line of this test file's gateways. nestjs-pino keeps one application logger per process
   * (the first app's), so the gateways of one file share their capture; request lines are per gateway.
   */
  logs: string[];
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** Creates a team, a project and a key; returns the key and ids. */
  createKey(options?: {
    environment?: string;
    models?: string[];
    expires_at?: string;
  }): Promise<{ key: string; id: string; projectId: string; teamId: string }>;
  close(): Promise<void>;
}

const fileLogs: string[] = [];
const logDestination = new Writable({
  write(chunk, _encoding, done) {
    fileLogs.push(...String(chunk).split('\n').filter(Boolean));
    done();
  },
});

export async function startTestGateway(options: TestGatewayOptions): Promise<TestGateway> {
  const ownDatabase = !options.database;
  const database = options.database ?? (await createTestDatabase());
  const configFile = join(mkdtempSync(join(tmpdir(), 'switchyard-test-')), 'catalog.yaml');
  writeFileSync(configFile, stringify(options.catalog));
  const gateway = await withEnv(
    {
      DATABASE_URL: database.url,
      SWITCHYARD_CONFIG: configFile,
      SWITCHYARD_ADMIN_KEY: TEST_ADMIN_KEY,
      LOG_LEVEL: 'info',
      // Lag shedding off unless a test is about it: a loaded CI machine must not shed an unrelated test's burst.
      OVERLOAD_MAX_LAG_MS: '0',
      ...options.env,
    },
    () => createGateway({ logDestination }),
  );
  options.beforeListen?.(gateway);
  await gateway.app.listen(0, '127.0.0.1');
  const baseUrl = `http://127.0.0.1:${(gateway.app.getHttpServer().address() as AddressInfo).port}`;

  const admin = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(baseUrl + path, {
      method,
      headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  };
  let keys = 0;
  const createKey: TestGateway['createKey'] = async (keyOptions = {}) => {
    keys++;
    const team = await admin('POST', '/admin/teams', { name: `team-${keys}-${Date.now()}` });
    const project = await admin('POST', '/admin/projects', { name: 'project', team_id: team.body.id });
    const key = await admin('POST', '/admin/keys', {
      project_id: project.body.id,
      name: 'test key',
      environment: keyOptions.environment ?? 'test',
      ...(keyOptions.models ? { models: keyOptions.models } : {}),
      ...(keyOptions.expires_at ? { expires_at: keyOptions.expires_at } : {}),
    });
    if (key.status !== 201) throw new Error(`key creation failed: ${JSON.stringify(key.body)}`);
    return { key: key.body.key, id: key.body.id, projectId: project.body.id, teamId: team.body.id };
  };

  return {
    baseUrl,
    gateway,
    database,
    fetch: options.fetch ?? fetch,
    logs: fileLogs,
    admin,
    createKey,
    async close() {
      await gateway.app.close();
      if (ownDatabase) await database.drop();
    },
  };
}

/** Runs `fn` with extra environment variables, restoring the environment afterwards. */
export async function withEnv<T>(env: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
  Object.assign(process.env, env);
  try {
    return await fn();
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

/** A catalog with one OpenAI-compatible provider at `baseUrl` and the given models. */
export function openAiCatalog(
  baseUrl: string,
  apiKey: string,
  models: object[] = [
    { name: 'gpt-test', aliases: ['fast'], deployments: [{ provider: 'openai', model: 'gpt-test' }] },
  ],
) {
  return {
    providers: [{ id: 'openai', type: 'openai', base_url: `${baseUrl}/v1`, api_key: apiKey }],
    models,
  };
}

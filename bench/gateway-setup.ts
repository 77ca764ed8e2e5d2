import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

/** The gateway set-up shared by the benchmarks: a throw-away database, a catalog, a key with every feature on. */
export const ADMIN_KEY = 'bench-admin-key-0123456789abcdef';
const ADMIN_DATABASE_URL =
  process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const PRICING = { input_per_mtok: 0.4, output_per_mtok: 1.6 };

export function catalogFile(upstreamUrl: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'switchyard-bench-')), 'catalog.json');
  // JSON is valid YAML.
  writeFileSync(
    file,
    JSON.stringify({
      providers: [{ id: 'upstream', type: 'openai', base_url: `${upstreamUrl}/v1`, api_key: 'sk-bench-provider-key' }],
      // The fake upstream picks its stream's shape and pace by model name (bench/fake-upstream.ts).
      models: ['bench', 'bench-slow', 'bench-paced', 'bench-role-first'].map((name) => ({
        name,
        pricing: PRICING,
        deployments: [{ provider: 'upstream', model: name }],
      })),
    }),
  );
  return file;
}

/** `name` names the team, project and key; team names are unique, so each call on one database needs its own. */
export async function issueKey(gatewayUrl: string, name = 'bench'): Promise<string> {
  const admin = adminApi(gatewayUrl);
  const { team, project, key } = await createKey(gatewayUrl, name);
  // Every feature on: budgets at all three levels and rate limits, large enough never to refuse.
  for (const [scope, id] of [
    ['teams', team.id],
    ['projects', project.id],
    ['keys', key.id],
  ]) {
    await admin(`/admin/${scope}/${id}/budget`, { limit_usd: 1_000_000, period: 'monthly' }, 'PUT');
    if (scope !== 'teams')
      await admin(`/admin/${scope}/${id}/rate-limits`, { rpm: 10_000_000, tpm: 1_000_000_000 }, 'PUT');
  }
  return key.key;
}

/**
 * A key whose own budget (`budgetUsd`) or request rate (`rpm`) is meant to be reached, for the checks that
 * nothing is admitted beyond them; its team and project have neither.
 */
export async function issueLimitedKey(
  gatewayUrl: string,
  name: string,
  limits: { budgetUsd?: number; rpm?: number },
): Promise<{ id: string; key: string }> {
  const admin = adminApi(gatewayUrl);
  const { key } = await createKey(gatewayUrl, name);
  if (limits.budgetUsd !== undefined)
    await admin(`/admin/keys/${key.id}/budget`, { limit_usd: limits.budgetUsd, period: 'monthly' }, 'PUT');
  if (limits.rpm !== undefined)
    await admin(`/admin/keys/${key.id}/rate-limits`, { rpm: limits.rpm, tpm: 1_000_000_000 }, 'PUT');
  return key;
}

/** A key's budget as the admin API reports it (`GET /admin/keys/:id/balance`). */
export async function keyBalance(gatewayUrl: string, keyId: string): Promise<{ limit_usd: number; spent_usd: number }> {
  return (await adminApi(gatewayUrl)(`/admin/keys/${keyId}/balance`, undefined, 'GET')) as never;
}

async function createKey(gatewayUrl: string, name: string) {
  const admin = adminApi(gatewayUrl);
  const team = await admin('/admin/teams', { name });
  const project = await admin('/admin/projects', { name, team_id: team.id });
  const key = await admin('/admin/keys', { project_id: project.id, name, environment: 'test' });
  return { team, project, key };
}

function adminApi(gatewayUrl: string) {
  return async (path: string, body: object | undefined, method = 'POST') => {
    const response = await fetch(gatewayUrl + path, {
      method,
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
    return (await response.json()) as { id: string; key: string };
  };
}

export async function createDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `switchyard_bench_${Date.now()}`;
  const admin = async (sql: string) => {
    const client = new Client({ connectionString: ADMIN_DATABASE_URL });
    await client.connect();
    await client.query(sql).finally(() => client.end());
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@app/common';
import { loadCatalog } from './load-catalog';

function catalogFile(yaml: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'catalog-')), 'switchyard.yaml');
  writeFileSync(file, yaml);
  return file;
}

const PROVIDERS = `
providers:
  - id: openai
    type: openai
    base_url: https://api.openai.com/v1/
    api_key: \${OPENAI_API_KEY}
  - id: local
    type: mock
`;

function errorOf(yaml: string, env: NodeJS.ProcessEnv = { OPENAI_API_KEY: 'sk-x' }): string {
  try {
    loadCatalog(catalogFile(yaml), env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected the catalog to be rejected');
}

describe('loadCatalog', () => {
  it('interpolates secrets from the environment and applies timeout defaults and overrides', () => {
    const catalog = loadCatalog(
      catalogFile(`${PROVIDERS}
defaults:
  timeouts: { ttfb_ms: 30000 }
models:
  - name: gpt-4.1-mini
    aliases: [fast]
    deployments: [{ provider: openai, model: gpt-4.1-mini }]
    timeouts: { idle_ms: 5000 }
`),
      { OPENAI_API_KEY: 'sk-from-env' },
    );
    expect(catalog.providers[0]).toMatchObject({ api_key: 'sk-from-env', base_url: 'https://api.openai.com/v1' });
    expect(catalog.models[0].timeouts).toEqual({
      connect_ms: 5_000,
      ttfb_ms: 30_000,
      idle_ms: 5_000,
      total_ms: 600_000,
    });
    expect(catalog.models[0].deployments[0]).toEqual({
      provider: 'openai',
      model: 'gpt-4.1-mini',
      weight: 1,
      priority: 0,
    });
    expect(catalog.models[0].retry).toEqual({ max_attempts: 3, base_delay_ms: 200, max_delay_ms: 2_000 });
    expect(catalog.models[0].health).toEqual({ failure_threshold: 5, cooldown_ms: 10_000, max_cooldown_ms: 300_000 });
  });

  it('merges retry and health settings: built-in, then defaults, then the model, field by field', () => {
    const catalog = loadCatalog(
      catalogFile(`${PROVIDERS}
defaults:
  retry: { max_attempts: 2 }
  health: { cooldown_ms: 5000 }
retry_budget: { ratio: 0.1 }
models:
  - name: a
    deployments: [{ provider: local, model: a }]
    retry: { base_delay_ms: 50 }
    health: { failure_threshold: 3 }
  - { name: b, deployments: [{ provider: local, model: b }] }
`),
      { OPENAI_API_KEY: 'sk-x' },
    );
    expect(catalog.models[0].retry).toEqual({ max_attempts: 2, base_delay_ms: 50, max_delay_ms: 2_000 });
    expect(catalog.models[0].health).toEqual({ failure_threshold: 3, cooldown_ms: 5_000, max_cooldown_ms: 300_000 });
    expect(catalog.models[1].retry).toEqual({ max_attempts: 2, base_delay_ms: 200, max_delay_ms: 2_000 });
    expect(catalog.retry_budget).toEqual({ ratio: 0.1, min_retries: 10, window_ms: 10_000 });
  });

  it('rejects inconsistent retry and health settings and twin deployments', () => {
    const message = errorOf(`${PROVIDERS}
defaults:
  retry: { max_delay_ms: 100 }
models:
  - name: a
    deployments: [{ provider: local, model: a }, { provider: local, model: a, weight: 2 }]
    retry: { base_delay_ms: 500, max_attempts: 0 }
    health: { cooldown_ms: 60000, max_cooldown_ms: 1000 }
`);
    expect(message).toContain('models[0].deployments[1]: duplicate deployment "local/a"');
    expect(message).toContain('models[0].retry.max_attempts');
    const merged = errorOf(`${PROVIDERS}
defaults:
  retry: { max_delay_ms: 100 }
models:
  - name: a
    deployments: [{ provider: local, model: a }]
    retry: { base_delay_ms: 500 }
    health: { cooldown_ms: 60000, max_cooldown_ms: 1000 }
`);
    expect(merged).toContain('models[0].retry.max_delay_ms: must be at least base_delay_ms (500)');
    expect(merged).toContain('models[0].health.max_cooldown_ms: must be at least cooldown_ms (60000)');
  });

  it('names the path of an unknown provider', () => {
    const message = errorOf(`${PROVIDERS}
models:
  - { name: a, deployments: [{ provider: openai, model: a }] }
  - { name: b, deployments: [{ provider: openai, model: b }] }
  - { name: c, deployments: [{ provider: opnai, model: c }] }
`);
    expect(message).toContain('models[2].deployments[0].provider: unknown provider "opnai"');
  });

  it('rejects duplicate names and aliases, unknown fallbacks and fallback cycles', () => {
    const message = errorOf(`${PROVIDERS}
models:
  - { name: a, aliases: [x], fallbacks: [b], deployments: [{ provider: local, model: a }] }
  - { name: b, aliases: [x], fallbacks: [a, ghost], deployments: [{ provider: local, model: b }] }
`);
    expect(message).toContain('models[1].aliases[0]: "x" is already used by model "a"');
    expect(message).toContain('models[1].fallbacks[1]: unknown model "ghost"');
    expect(message).toContain('fallback cycle: a → b → a');
  });

  it('names a missing environment variable and an unknown provider type', () => {
    expect(errorOf(`${PROVIDERS}\nmodels: []`, {})).toContain(
      'providers[0].api_key: environment variable OPENAI_API_KEY is not set',
    );
    expect(
      errorOf(
        `providers:\n  - { id: x, type: opnai }\nmodels:\n  - { name: a, deployments: [{ provider: x, model: a }] }`,
      ),
    ).toContain('providers[0].type');
  });
});

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
    expect(catalog.models[0].timeouts).toEqual({ connect_ms: 5_000, ttfb_ms: 30_000, idle_ms: 5_000, total_ms: 600_000 });
    expect(catalog.models[0].deployments[0]).toEqual({ provider: 'openai', model: 'gpt-4.1-mini', weight: 1, priority: 0 });
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
    expect(errorOf(`${PROVIDERS}\nmodels: []`, {})).toContain('providers[0].api_key: environment variable OPENAI_API_KEY is not set');
    expect(errorOf(`providers:\n  - { id: x, type: opnai }\nmodels:\n  - { name: a, deployments: [{ provider: x, model: a }] }`)).toContain('providers[0].type');
  });
});

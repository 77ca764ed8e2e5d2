import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { inspect, isDeepStrictEqual } from 'node:util';
import { CatalogConfig, loadCatalog } from '@app/routing';

export const ROOT = join(__dirname, '..', '..');

/** A settings factory made with `registerAs` (`KEY` is `CONFIGURATION(<namespace>)`). */
type SettingsFactory = (() => unknown) & { KEY: string };

/**
 * Names the runtime, not the gateway, reads: set by the Dockerfile or a deployment for Node itself and the npm
 * libraries, so they are expected beside the gateway's own settings.
 */
export const RUNTIME_ENV_NAMES = new Set(['NODE_ENV', 'NODE_OPTIONS']);

/**
 * Every environment variable the gateway's settings read: each settings factory (`*.config.ts`: the app's,
 * found by file, and each lib's, through its index) runs against an environment that notes every name it is asked for, so the
 * list is what the zod schemas really read, defaults included.
 */
export function gatewayEnvNames(): Set<string> {
  const names = new Set<string>();
  for (const factory of settingsFactories()) {
    for (const name of namesReadBy(() => factory())) names.add(name);
  }
  return names;
}

/**
 * Whether `value` is the default of the setting `name`: every settings factory that reads `name` must give the
 * same settings with `name` set to `value` as with it unset. Answers undefined when it is, else what differs.
 */
export function defaultDiffers(name: string, value: string): string | undefined {
  for (const { factory, names } of (readers ??= readersOfSettings())) {
    if (!names.has(name)) continue;
    const unset = settingsUnder({}, factory);
    let set: unknown;
    try {
      set = settingsUnder({ [name]: value }, factory);
    } catch (error) {
      return `${factory.KEY} refuses ${name}=${value}: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (!isDeepStrictEqual(unset, set)) return `${factory.KEY} reads ${name}=${value} as ${changes(unset, set)}`;
  }
  return undefined;
}

let readers: Array<{ factory: SettingsFactory; names: Set<string> }> | undefined;

function readersOfSettings() {
  return settingsFactories().map((factory) => ({ factory, names: namesReadBy(() => factory()) }));
}

/** The fields of two settings objects that differ, as `field: <with it set> (unset: <default>)`. */
function changes(unset: unknown, set: unknown): string {
  const fields = (value: unknown) => (typeof value === 'object' && value !== null ? value : { value });
  const before = fields(unset) as Record<string, unknown>;
  const after = fields(set) as Record<string, unknown>;
  return Object.keys({ ...before, ...after })
    .filter((key) => !isDeepStrictEqual(before[key], after[key]))
    .map((key) => `${key}: ${inspect(after[key])} (unset: ${inspect(before[key])})`)
    .join(', ');
}

function settingsUnder(env: NodeJS.ProcessEnv, read: () => unknown): unknown {
  const saved = process.env;
  process.env = env;
  try {
    return read();
  } finally {
    process.env = saved;
  }
}

/** A catalog file, validated as the gateway loads it, and every `${NAME}` it reads from the environment. */
export function loadCatalogFile(file: string): { catalog: CatalogConfig; envNames: Set<string> } {
  const envNames = new Set<string>();
  return { catalog: loadCatalog(file, recordingEnv(envNames, 'placeholder-value')), envNames };
}

function settingsFactories(): SettingsFactory[] {
  const fromLibs = readdirSync(join(ROOT, 'libs')).flatMap((lib) => settingsExportedBy(`@app/${lib}`));
  const fromApps = sourceFiles(join(ROOT, 'apps'), '.config.ts').flatMap(settingsExportedBy);
  const factories = [...fromLibs, ...fromApps];
  // A lib's settings must be exported from its index, or their names would go unchecked here.
  const known = new Set(factories.map((factory) => factory.KEY));
  const missing = sourceFiles(join(ROOT, 'libs'), '.config.ts')
    .flatMap((file) => [...readFileSync(file, 'utf8').matchAll(/registerAs\(\s*'([^']+)'/g)].map((m) => [file, m[1]]))
    .filter(([, namespace]) => !known.has(`CONFIGURATION(${namespace})`))
    .map(([file, namespace]) => `${relative(ROOT, file)} (${namespace})`);
  if (missing.length > 0) throw new Error(`settings not exported from their lib's index: ${missing.join(', ')}`);
  return factories;
}

/** The settings factories a module exports: a lib through its index (`@app/<lib>`), an app file by path. */
function settingsExportedBy(module: string): SettingsFactory[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- every lib and settings file, found by name
  return Object.values(require(module) as Record<string, unknown>).filter(isSettingsFactory);
}

function isSettingsFactory(value: unknown): value is SettingsFactory {
  return typeof value === 'function' && String((value as Partial<SettingsFactory>).KEY).startsWith('CONFIGURATION(');
}

function namesReadBy(read: () => void): Set<string> {
  const names = new Set<string>();
  const saved = process.env;
  // Every name unset: each setting takes its default, and each schema asks for all of its names.
  process.env = recordingEnv(names, undefined);
  try {
    read();
  } finally {
    process.env = saved;
  }
  return names;
}

function recordingEnv(names: Set<string>, value: string | undefined): NodeJS.ProcessEnv {
  return new Proxy(
    {},
    {
      get(_target, name) {
        if (typeof name !== 'string' || !/^[A-Z][A-Z0-9_]*$/.test(name)) return undefined;
        names.add(name);
        return value;
      },
    },
  );
}

function sourceFiles(dir: string, suffix: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith(suffix) && !file.split('/').includes('node_modules'))
    .map((file) => join(dir, file));
}

/**
 * The lib dependency direction from the house plan, enforced in CI:
 *   apps ─► any lib (through its index)     routing ─► providers     auth, quota, audit ─► persistence
 *   providers, persistence, observability, inbound ─► common        common ─► nothing internal
 * Feature libs do not import each other; nothing imports a lib's internals from outside it.
 * test/ and bench/ see the libs as the app does (through their index), plus a lib's documented testing entry.
 * Nobody imports a package's internals: only what the package exports (its entry, or its `exports` map).
 */
const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

const lib = (name) => `^libs/${name}/`;
const allowedLibDeps = {
  common: [],
  persistence: ['common'],
  observability: ['common'],
  providers: ['common'],
  routing: ['common', 'providers'],
  auth: ['common', 'persistence'],
  quota: ['common', 'persistence'],
  audit: ['common', 'persistence'],
  inbound: ['common'],
  alerts: ['common', 'persistence'],
};

/** Subpaths a package documents as entries without declaring them in an `exports` map. */
const DOCUMENTED_SUBPATHS = {
  // Ajv's JSON Schema 2020-12 validator: https://ajv.js.org/json-schema.html#draft-2020-12
  ajv: ['dist/2020.js'],
};

const escape = (text) => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

/** Every file path (as a regex, relative to the package) that a package exports. */
function publicFiles(name) {
  const file = join(__dirname, 'node_modules', name, 'package.json');
  if (!existsSync(file)) return [];
  const manifest = JSON.parse(readFileSync(file, 'utf8'));
  const files = [...(DOCUMENTED_SUBPATHS[name] ?? []).map(escape)];
  const targets = (value) => (typeof value === 'string' ? [value] : Object.values(value ?? {}).flatMap(targets));
  for (const target of targets(manifest.exports)) {
    files.push(target.replace(/^\.\//, '').split('*').map(escape).join('.+'));
  }
  // What a bare import resolves to without an exports map: `main` (extension optional), else index.js.
  const main = (manifest.main ?? 'index.js').replace(/^\.\//, '').replace(/\/$/, '');
  files.push(`${escape(main)}(\\.js|/index\\.js)?`);
  return files;
}

const manifest = require('./package.json');
const packages = [
  ...new Set([
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.devDependencies ?? {}),
    ...Object.keys(manifest.overrides ?? {}),
  ]),
];

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'no-unresolvable',
      comment: 'An import that resolves to no file: a typo, a missing package, or a path alias the rules cannot see.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'libs-never-import-apps',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'only-through-the-index',
      comment: 'Import a lib as @app/<lib>; its src/index.ts is its only public surface.',
      severity: 'error',
      from: { path: '^(apps|libs)/([^/]+)/', pathNot: '\\.spec\\.ts$' },
      to: { path: '^libs/([^/]+)/src/(?!index\\.ts$)', pathNot: '^libs/$2/' },
    },
    {
      name: 'console-stands-alone',
      comment:
        'The web console (apps/console) is a browser bundle that talks to the gateway over HTTP only: it never ' +
        'bundles server code, which could carry configuration into a file anyone may download.',
      severity: 'error',
      from: { path: '^apps/console/' },
      to: { path: '^(apps/(?!console/)|libs/)' },
    },
    {
      name: 'tests-through-the-index',
      comment:
        'test/ and bench/ import a lib as @app/<lib>, or as @app/<lib>/testing (libs/<lib>/src/testing.ts) ' +
        'when a lib offers what a test needs and the app must not use.',
      severity: 'error',
      from: { path: '^(test|bench)/' },
      to: { path: '^libs/[^/]+/src/(?!(index|testing)\\.ts$)' },
    },
    {
      name: 'testing-entries-only-in-tests',
      comment: "A lib's testing entry is for test/, bench/ and specs; the app and the libs never use one.",
      severity: 'error',
      from: { path: '^(apps|libs)/', pathNot: '\\.spec\\.ts$' },
      to: { path: '^libs/[^/]+/src/testing\\.ts$' },
    },
    {
      name: 'no-package-internals',
      comment:
        'Import a package through what it exports (its entry, or a subpath of its `exports` map), never a file ' +
        'inside it such as @nestjs/core/helpers/… or @nestjs/common/constants: those move without notice.',
      severity: 'error',
      from: { path: '^(apps|libs|test|bench)/' },
      to: {
        path: `^node_modules/(${packages.map(escape).join('|')})/`,
        pathNot: packages.map((name) => `^node_modules/${escape(name)}/(${publicFiles(name).join('|')})$`),
      },
    },
    ...Object.entries(allowedLibDeps).map(([name, allowed]) => ({
      name: `${name}-dependency-direction`,
      comment: `libs/${name} may depend on: ${allowed.join(', ') || 'no other lib'}`,
      severity: 'error',
      from: { path: lib(name) },
      to: { path: '^libs/', pathNot: [lib(name), ...allowed.map(lib)] },
    })),
  ],
  options: {
    // Packages are leaves of the graph (not crawled), but kept in it so that no-package-internals sees them.
    doNotFollow: { path: 'node_modules' },
    // The console's Vite config is build tooling, not part of the module graph (and vite has no main entry).
    exclude: { path: '(^|/)dist/|^apps/console/vite\\.config\\.mts$' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    moduleSystems: ['cjs', 'es6'],
  },
};

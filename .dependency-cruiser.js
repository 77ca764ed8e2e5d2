/**
 * The lib dependency direction from the house plan, enforced in CI:
 *   apps ─► any lib (through its index)     routing ─► providers     auth, quota, audit ─► persistence
 *   providers, persistence, observability ─► common                 common ─► nothing internal
 * Feature libs do not import each other; nothing imports a lib's internals from outside it.
 */
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
};

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
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
    ...Object.entries(allowedLibDeps).map(([name, allowed]) => ({
      name: `${name}-dependency-direction`,
      comment: `libs/${name} may depend on: ${allowed.join(', ') || 'no other lib'}`,
      severity: 'error',
      from: { path: lib(name) },
      to: { path: '^libs/', pathNot: [lib(name), ...allowed.map(lib)] },
    })),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    moduleSystems: ['cjs', 'es6'],
  },
};

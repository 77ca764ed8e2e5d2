/**
 * `node -r ./test/utils/swc-register.js apps/gateway/src/main.ts`: runs the gateway's TypeScript sources in
 * a child process the way Jest runs them in-process (same SWC settings, `@app/<lib>` → `libs/<lib>/src`),
 * so a test can signal a real process without a build step and without testing a stale `dist/`.
 */
const Module = require('node:module');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { transformSync } = require('@swc/core');
const swcOptions = require('./swc-options');

const root = join(__dirname, '..', '..');
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const lib = /^@app\/([a-z-]+)$/.exec(request);
  return resolveFilename.call(this, lib ? join(root, 'libs', lib[1], 'src') : request, ...rest);
};

require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(readFileSync(filename, 'utf8'), { filename, ...swcOptions });

  module._compile(code, filename);
};

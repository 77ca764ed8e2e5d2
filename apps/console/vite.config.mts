import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * The console is built into dist/console (`npm run build`, after `nest build`, which empties dist/) and
 * served by the gateway at /console. Every script and style sheet is a file of its own: the gateway's
 * Content-Security-Policy allows no inline code.
 */
export default defineConfig({
  root,
  base: '/console/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../../dist/console', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // Evergreen browsers load module preloads natively; the polyfill would only add code.
    modulePreload: { polyfill: false },
    // No data: URLs for fonts or images built from source: every asset is a cacheable file.
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
});

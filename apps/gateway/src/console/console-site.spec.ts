import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ConsoleSite } from './console-site';

function builtConsole(): string {
  const dir = mkdtempSync(join(tmpdir(), 'console-site-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(
    join(dir, 'index.html'),
    '<!doctype html><script type="module" src="/console/assets/app-1a2b.js"></script>',
  );
  writeFileSync(join(dir, 'assets', 'app-1a2b.js'), `console.log(${JSON.stringify('x'.repeat(2000))});`);
  writeFileSync(join(dir, 'assets', 'app-1a2b.css'), 'body{}');
  return dir;
}

describe('ConsoleSite', () => {
  it('is null until the console has been built', () => {
    expect(ConsoleSite.load(mkdtempSync(join(tmpdir(), 'console-empty-')))).toBeNull();
  });

  it('serves hashed assets with their type, cached for good, and gzipped when that is smaller', () => {
    const site = ConsoleSite.load(builtConsole())!;
    const script = site.resolve('assets/app-1a2b.js')!;
    expect(script.contentType).toBe('text/javascript; charset=utf-8');
    expect(script.cacheControl).toBe('public, max-age=31536000, immutable');
    expect(gunzipSync(script.gzipped!).equals(script.body)).toBe(true);
    const styles = site.resolve('assets/app-1a2b.css')!;
    expect(styles.contentType).toBe('text/css; charset=utf-8');
    expect(styles.gzipped).toBeNull();
  });

  it('answers every other page path with index.html, to be checked on each load', () => {
    const site = ConsoleSite.load(builtConsole())!;
    const index = site.resolve('index.html')!;
    expect(index.contentType).toBe('text/html; charset=utf-8');
    expect(index.cacheControl).toBe('no-cache');
    expect(site.resolve('requests/abc-123')).toBe(index);
    expect(site.resolve('teams/7f1c')).toBe(index);
    // Request ids may hold dots.
    expect(site.resolve('requests/req.2026-03-10')).toBe(index);
  });

  it('never answers a missing script, style sheet or file with the page', () => {
    const site = ConsoleSite.load(builtConsole())!;
    expect(site.resolve('assets/app-old.js')).toBeNull();
    expect(site.resolve('favicon.ico')).toBeNull();
    expect(site.resolve('assets/../../package.json')).toBeNull();
  });
});

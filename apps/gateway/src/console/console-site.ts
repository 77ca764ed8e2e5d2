import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';

/** One file of the built console, held in memory with everything its response needs. */
export interface ConsoleFile {
  body: Buffer;
  /** The same bytes gzipped, when that is smaller. */
  gzipped: Buffer | null;
  contentType: string;
  etag: string;
  cacheControl: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Vite names every asset by its content hash: a changed file is a new URL, so these may be cached forever. */
const HASHED_ASSETS_DIR = 'assets/';
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** index.html names the current assets, so the browser must check it on every load (it answers 304 if unchanged). */
const REVALIDATE = 'no-cache';

/**
 * The built console as a map from URL path (relative to /console/) to file, read once into memory. Requests
 * are answered from the map only, so no request path ever reaches the file system (no traversal to guard
 * against), and the few files (~100 KB) cost less memory than a static-file library's dependencies.
 */
export class ConsoleSite {
  private constructor(private readonly files: ReadonlyMap<string, ConsoleFile>) {}

  /** The site in `dir`, or null when it has not been built (no index.html). */
  static load(dir: string): ConsoleSite | null {
    if (!existsSync(join(dir, 'index.html'))) return null;
    const files = new Map<string, ConsoleFile>();
    for (const path of filesUnder(dir)) {
      const name = relative(dir, path).split(sep).join('/');
      files.set(name, consoleFile(name, readFileSync(path)));
    }
    return new ConsoleSite(files);
  }

  /**
   * The file for a path under /console/ (without the prefix): the file itself, index.html for any other
   * page path (the single-page app routes it), or null for a missing file — a script or style sheet that
   * is not there must be a 404, not the HTML page under a script's name. Files are the assets and top-level
   * names with an extension (`favicon.ico`); deeper paths are pages even with a dot (`requests/req.1`).
   */
  resolve(path: string): ConsoleFile | null {
    const file = this.files.get(path);
    if (file) return file;
    if (path.startsWith(HASHED_ASSETS_DIR) || (!path.includes('/') && extname(path) !== '')) return null;
    return this.files.get('index.html')!;
  }
}

function consoleFile(name: string, body: Buffer): ConsoleFile {
  const gzipped = gzipSync(body, { level: 9 });
  return {
    body,
    gzipped: gzipped.length < body.length ? gzipped : null,
    contentType: CONTENT_TYPES[extname(name)] ?? 'application/octet-stream',
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
    cacheControl: name.startsWith(HASHED_ASSETS_DIR) ? IMMUTABLE : REVALIDATE,
  };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(path);
    return entry.isFile() ? [path] : [];
  });
}

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { IMMUTABLE, REVALIDATE, StaticFile, staticFile } from './static-file';

/**
 * Vite names every asset by its content hash: a changed file is a new URL, so these may be cached forever.
 * index.html names the current assets, so the browser must check it on every load.
 */
const HASHED_ASSETS_DIR = 'assets/';

/**
 * The built console as a map from URL path (relative to /console/) to file, read once into memory. Requests
 * are answered from the map only, so no request path ever reaches the file system (no traversal to guard
 * against), and the few files (~100 KB) cost less memory than a static-file library's dependencies.
 */
export class ConsoleSite {
  private constructor(private readonly files: ReadonlyMap<string, StaticFile>) {}

  /** The site in `dir`, or null when it has not been built (no index.html). */
  static load(dir: string): ConsoleSite | null {
    if (!existsSync(join(dir, 'index.html'))) return null;
    const files = new Map<string, StaticFile>();
    for (const path of filesUnder(dir)) {
      const name = relative(dir, path).split(sep).join('/');
      files.set(
        name,
        staticFile(name, readFileSync(path), name.startsWith(HASHED_ASSETS_DIR) ? IMMUTABLE : REVALIDATE),
      );
    }
    return new ConsoleSite(files);
  }

  /**
   * The file for a path under /console/ (without the prefix): the file itself, index.html for any other
   * page path (the single-page app routes it), or null for a missing file — a script or style sheet that
   * is not there must be a 404, not the HTML page under a script's name. Files are the assets and top-level
   * names with an extension (`favicon.ico`); deeper paths are pages even with a dot (`requests/req.1`).
   */
  resolve(path: string): StaticFile | null {
    const file = this.files.get(path);
    if (file) return file;
    if (path.startsWith(HASHED_ASSETS_DIR) || (!path.includes('/') && extname(path) !== '')) return null;
    return this.files.get('index.html')!;
  }
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(path);
    return entry.isFile() ? [path] : [];
  });
}

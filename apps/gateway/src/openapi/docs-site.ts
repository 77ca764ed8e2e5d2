import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { REVALIDATE, StaticFile, staticFile } from '../console/static-file';

/** Swagger UI's own files, from the swagger-ui-dist package (no CDN). */
const SWAGGER_UI_FILES = ['swagger-ui-bundle.js', 'swagger-ui.css'];

/** The page: Swagger UI's files and our init script, all external, so the strict CSP needs no inline code. */
const INDEX_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>Switchyard API</title>
    <link rel="stylesheet" href="/docs/swagger-ui.css">
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="/docs/swagger-ui-bundle.js"></script>
    <script src="/docs/init.js"></script>
  </body>
</html>
`;

/** Reads this origin's document; no validator badge (it would call validator.swagger.io). */
const INIT_JS = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
});
`;

/**
 * The API reader at /docs: a map from file name to file, read once into memory, so no request path reaches
 * the file system. The files' URLs do not change with their content, so each is revalidated (ETag).
 */
export class DocsSite {
  private constructor(private readonly files: ReadonlyMap<string, StaticFile>) {}

  static load(): DocsSite {
    const dist = dirname(require.resolve('swagger-ui-dist/package.json'));
    const files = new Map<string, StaticFile>([
      ['index.html', staticFile('index.html', Buffer.from(INDEX_HTML), REVALIDATE)],
      ['init.js', staticFile('init.js', Buffer.from(INIT_JS), REVALIDATE)],
    ]);
    for (const name of SWAGGER_UI_FILES) files.set(name, staticFile(name, readFileSync(join(dist, name)), REVALIDATE));
    return new DocsSite(files);
  }

  /** The file for a path under /docs/ (without the prefix), or null. */
  resolve(path: string): StaticFile | null {
    return this.files.get(path) ?? null;
  }
}

import { execFileSync } from 'node:child_process';
import { apiRoutes, openApiDocument, openApiPath } from '../../apps/gateway/src/openapi/openapi-document';
import { ROUTE_DOCS } from '../../apps/gateway/src/openapi/route-docs';
import { MountedRoute, RouteInventory } from '../../apps/gateway/src/http/route-inventory';
import { FakeOpenAiServer } from '../fakes/fake-openai.server';
import { openAiCatalog, startTestGateway, TEST_ADMIN_KEY, TestGateway } from '../utils/test-gateway';

type Document = { paths: Record<string, Record<string, any>> };

/** Mounted routes (no HEAD twins, no web-page files) the document has no operation for. */
function undocumented(document: Document, mounted: readonly MountedRoute[]): string[] {
  return apiRoutes(mounted)
    .filter(({ method, url }) => !document.paths[openApiPath(url)]?.[method.toLowerCase()])
    .map(({ method, url }) => `${method} ${url}`);
}

/**
 * The validator is ESM-only, which Jest's CommonJS runtime cannot import: it runs in a child node, which
 * prints its errors and exits non-zero on an invalid document.
 */
function validateOpenApi(document: unknown): { valid: boolean; errors?: unknown } {
  const script = `
    import { Validator } from '@seriousme/openapi-schema-validator';
    let input = '';
    for await (const chunk of process.stdin) input += chunk;
    const result = await new Validator().validate(JSON.parse(input));
    process.stdout.write(JSON.stringify({ valid: result.valid, version: new Validator().version, errors: result.errors }));
  `;
  return JSON.parse(
    execFileSync('node', ['--input-type=module', '-e', script], { input: JSON.stringify(document) }).toString(),
  );
}

describe('the OpenAPI document and its reader', () => {
  let fake: FakeOpenAiServer;
  let gateway: TestGateway;
  let document: any;
  let mounted: readonly MountedRoute[];

  beforeAll(async () => {
    fake = new FakeOpenAiServer('sk-provider-secret');
    gateway = await startTestGateway({ catalog: openAiCatalog(await fake.start(), 'sk-provider-secret') });
    mounted = gateway.gateway.app.get(RouteInventory).routes;
    const response = await fetch(`${gateway.baseUrl}/openapi.json`);
    expect(response.status).toBe(200);
    document = await response.json();
  });

  afterAll(async () => {
    await gateway?.close();
    await fake?.stop();
  });

  it('is served without a key as a valid OpenAPI 3.1 document', () => {
    expect(document.openapi).toBe('3.1.0');
    const result = validateOpenApi(document);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
  });

  it('has an operation for every mounted /v1, /admin and operations route', () => {
    expect(undocumented(document, mounted)).toEqual([]);
    const documented = Object.keys(document.paths);
    expect(documented).toEqual(expect.arrayContaining(['/v1/chat/completions', '/v1/messages', '/admin/keys']));
    expect(documented.some((path) => path.startsWith('/console') || path.startsWith('/docs'))).toBe(false);
  });

  it('names a route that is mounted but not described, and has no description of a route that is not mounted', () => {
    const planted = [...mounted, { method: 'POST', url: '/admin/planted/:id' }];
    expect(undocumented(openApiDocument(planted) as Document, planted)).toEqual(['POST /admin/planted/:id']);
    const mountedKeys = new Set(apiRoutes(mounted).map(({ method, url }) => `${method} ${url}`));
    expect(Object.keys(ROUTE_DOCS).filter((route) => !mountedKeys.has(route))).toEqual([]);
  });

  it('asks for a gateway key on /v1 (bearer, x-api-key, api-key) and the admin key or token on /admin', () => {
    const schemes = document.components.securitySchemes;
    expect(schemes.gatewayXApiKey).toMatchObject({ type: 'apiKey', in: 'header', name: 'x-api-key' });
    expect(schemes.gatewayApiKey).toMatchObject({ type: 'apiKey', in: 'header', name: 'api-key' });
    expect(document.paths['/v1/chat/completions'].post.security).toEqual([
      { gatewayBearer: [] },
      { gatewayXApiKey: [] },
      { gatewayApiKey: [] },
    ]);
    expect(document.paths['/admin/keys'].post.security).toEqual([{ adminBearer: [] }]);
    expect(document.paths['/healthz'].get.security).toEqual([]);
  });

  it('describes admin bodies and queries with the validators the routes run', () => {
    const createKey = document.paths['/admin/keys'].post.requestBody.content['application/json'].schema;
    expect(createKey).toMatchObject({ type: 'object', additionalProperties: false });
    expect(createKey.required).toEqual(expect.arrayContaining(['project_id', 'name', 'environment']));
    const usage = document.paths['/admin/usage'].get.parameters;
    expect(usage).toContainEqual(expect.objectContaining({ name: 'group_by', in: 'query', required: true }));
    const budget = document.paths['/admin/{scope}/{id}/budget'].put.parameters.map((p: any) => p.name);
    expect(budget).toEqual(['scope', 'id']);
  });

  it('gives each route the error shape it really answers with', async () => {
    expect(document.paths['/v1/messages'].post.responses['4XX'].$ref).toBe('#/components/responses/AnthropicError');
    expect(document.paths['/v1/messages/count_tokens'].post.responses['4XX'].$ref).toBe(
      '#/components/responses/AnthropicError',
    );
    expect(document.paths['/v1/chat/completions'].post.responses['4XX'].$ref).toBe(
      '#/components/responses/OpenAIError',
    );
    expect(document.paths['/admin/teams'].get.responses['4XX'].$ref).toBe('#/components/responses/OpenAIError');

    const keyless = (path: string): Promise<any> =>
      fetch(gateway.baseUrl + path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      }).then((response) => response.json());
    /** The body has every field the schema requires, and no field it does not describe. */
    const fitsShape = (body: Record<string, unknown>, schema: { required: string[]; properties: object }) => {
      expect(Object.keys(body)).toEqual(expect.arrayContaining(schema.required));
      expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(Object.keys(body)));
    };
    const { AnthropicError: anthropic, OpenAIError: openAi } = document.components.schemas;
    const messages = await keyless('/v1/messages');
    fitsShape(messages, anthropic);
    fitsShape(messages.error, anthropic.properties.error);
    const chat = await keyless('/v1/chat/completions');
    fitsShape(chat, openAi);
    fitsShape(chat.error, openAi.properties.error);
  });

  it('holds no secret', () => {
    const text = JSON.stringify(document);
    expect(text).not.toContain(TEST_ADMIN_KEY);
    expect(text).not.toContain('sk-provider-secret');
  });

  it('serves the reader at /docs from bundled files under a strict CSP, with ETags', async () => {
    const page = await fetch(`${gateway.baseUrl}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).not.toMatch(/<script>|<style>|https?:\/\//);
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map(([, url]) => url);
    expect(assets).toEqual(['/docs/swagger-ui.css', '/docs/swagger-ui-bundle.js', '/docs/init.js']);
    for (const asset of assets) {
      const response = await fetch(gateway.baseUrl + asset);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
      const again = await fetch(gateway.baseUrl + asset, {
        headers: { 'if-none-match': response.headers.get('etag')! },
      });
      expect(again.status).toBe(304);
    }
    expect(await (await fetch(`${gateway.baseUrl}/docs/init.js`)).text()).toContain("url: '/openapi.json'");
    expect((await fetch(`${gateway.baseUrl}/docs/package.json`)).status).toBe(404);
  });
});

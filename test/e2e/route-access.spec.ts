import { RouteInventory } from '../../apps/gateway/src/http/route-inventory';
import { FakeOpenAiServer } from '../fakes/fake-openai.server';
import { wireCheck } from '../utils/openai-wire';
import { openAiCatalog, startTestGateway, TestGateway } from '../utils/test-gateway';

/**
 * Routes anyone may call without a key. Adding one here is a deliberate, reviewed decision. The console's
 * files hold no secret; its admin calls carry the signed-in token.
 */
const PUBLIC_ROUTES = [
  'GET /healthz',
  'GET /metrics',
  'GET /readyz',
  'HEAD /healthz',
  'HEAD /metrics',
  'HEAD /readyz',
  'GET /console',
  'GET /console/*',
  'HEAD /console',
  'HEAD /console/*',
  'GET /openapi.json',
  'GET /docs',
  'GET /docs/:file',
  'HEAD /openapi.json',
  'HEAD /docs',
  'HEAD /docs/:file',
];

const SOME_ID = '00000000-0000-4000-8000-000000000000';

// Every /v1 401 body received is checked against OpenAI's published OpenAPI document.
const wire = wireCheck();

/**
 * Every route the gateway mounted, however it was mounted (Nest controllers, the /v1 pipeline, Fastify's
 * own HEAD routes), called without a key: each route that is not listed as public and does not answer 401.
 */
async function unguardedRoutes(gateway: TestGateway): Promise<string[]> {
  const unguarded: string[] = [];
  for (const { method, url } of gateway.gateway.app.get(RouteInventory).routes) {
    const route = `${method} ${url}`;
    if (PUBLIC_ROUTES.includes(route)) continue;
    const send = url.startsWith('/v1/') ? wire.fetch : fetch;
    const response = await send(gateway.baseUrl + url.replace(/:[a-z_]+/gi, SOME_ID), {
      method,
      headers: { 'content-type': 'application/json' },
      body: method === 'GET' || method === 'HEAD' ? undefined : '{}',
    });
    if (response.status !== 401) unguarded.push(`${route} → ${response.status}`);
  }
  return unguarded;
}

describe('route access', () => {
  let fake: FakeOpenAiServer;
  let upstream: string;

  beforeAll(async () => {
    fake = new FakeOpenAiServer('sk-provider');
    upstream = await fake.start();
  });

  afterAll(async () => {
    await fake?.stop();
  });

  describe('the gateway as built', () => {
    let gateway: TestGateway;

    beforeAll(async () => {
      gateway = await startTestGateway({ catalog: openAiCatalog(upstream, 'sk-provider') });
    });

    afterAll(async () => {
      await gateway?.close();
    });

    it('mounts the model routes, the admin API and the public operations endpoints', () => {
      const routes = gateway.gateway.app.get(RouteInventory).routes.map(({ method, url }) => `${method} ${url}`);
      expect(routes).toEqual(
        expect.arrayContaining([
          'POST /v1/chat/completions',
          'POST /v1/embeddings',
          'GET /v1/models',
          'POST /admin/keys',
          ...PUBLIC_ROUTES,
        ]),
      );
      expect(routes.length).toBeGreaterThan(30);
    });

    it('answers 401 to a keyless call on every route but the listed public ones', async () => {
      expect(await unguardedRoutes(gateway)).toEqual([]);
    });

    it('serves the public health check without a key', async () => {
      expect((await fetch(`${gateway.baseUrl}/healthz`)).status).toBe(200);
    });
  });

  it('catches a /v1 route mounted without the shared guards', async () => {
    const planted = await startTestGateway({
      catalog: openAiCatalog(upstream, 'sk-provider'),
      beforeListen: ({ app }) => {
        app
          .getHttpAdapter()
          .getInstance()
          .post('/v1/planted', async () => ({ served: true }));
      },
    });
    try {
      expect(await unguardedRoutes(planted)).toEqual(['POST /v1/planted → 200']);
      // The planted route's body is no OpenAI body, and the wire check says so.
      expect(wire.takeViolations()).toEqual([
        "POST /v1/planted → 200: no schema of OpenAI's document is mapped to this route",
      ]);
    } finally {
      await planted.close();
    }
  });
});

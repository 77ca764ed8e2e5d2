import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { MetadataScanner, ModulesContainer } from '@nestjs/core';
import { ROUTE_ACCESS } from '@app/auth';
import { FakeOpenAiServer } from '../fakes/fake-openai.server';
import { openAiCatalog, startTestGateway, TestGateway } from '../utils/test-gateway';

/** Routes anyone may call without a key. Adding one here is a deliberate, reviewed decision. */
const PUBLIC_ROUTES = ['GET /healthz', 'GET /metrics', 'GET /readyz'];

describe('route access', () => {
  let fake: FakeOpenAiServer;
  let gateway: TestGateway;

  beforeAll(async () => {
    fake = new FakeOpenAiServer('sk-provider');
    gateway = await startTestGateway({ catalog: openAiCatalog(await fake.start(), 'sk-provider') });
  });

  afterAll(async () => {
    await gateway?.close();
    await fake?.stop();
  });

  function routes(): Array<{ route: string; access: string }> {
    const modules = [...gateway.gateway.app.get(ModulesContainer).values()];
    const controllers = modules.flatMap((module) => [...module.controllers.values()]);
    const scanner = new MetadataScanner();
    return controllers.flatMap(({ metatype }) => {
      const prefix = Reflect.getMetadata(PATH_METADATA, metatype!) as string;
      const prototype = metatype!.prototype;
      return scanner.getAllMethodNames(prototype).flatMap((name) => {
        const handler = prototype[name];
        const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
        if (path === undefined) return [];
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
        const access = Reflect.getMetadata(ROUTE_ACCESS, handler) ?? Reflect.getMetadata(ROUTE_ACCESS, metatype!) ?? 'gateway';
        const fullPath = `/${[prefix, path].filter((p) => p && p !== '/').join('/')}`.replace(/\/+/g, '/');
        return [{ route: `${method} ${fullPath}`, access }];
      });
    });
  }

  it('marks exactly the listed routes public; every other route needs a key', () => {
    const all = routes();
    expect(all.length).toBeGreaterThan(8);
    expect(all.filter((r) => r.access === 'public').map((r) => r.route).sort()).toEqual(PUBLIC_ROUTES);
    for (const { route, access } of all) {
      expect([route, access]).toEqual([route, route.includes(' /admin') ? 'admin' : route.includes(' /v1') ? 'gateway' : 'public']);
    }
  });

  it('really rejects keyless calls on every non-public route', async () => {
    for (const { route, access } of routes().filter((r) => r.access !== 'public')) {
      const [method, path] = route.split(' ');
      const response = await fetch(gateway.baseUrl + path.replace(/:id/g, '00000000-0000-4000-8000-000000000000'), {
        method,
        headers: { 'content-type': 'application/json' },
        body: method === 'GET' ? undefined : '{}',
      });
      expect([route, access, response.status]).toEqual([route, access, 401]);
    }
  });

  it('serves the public health check without a key', async () => {
    const response = await fetch(`${gateway.baseUrl}/healthz`);
    expect(response.status).toBe(200);
  });
});

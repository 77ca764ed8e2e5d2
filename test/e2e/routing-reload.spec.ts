import { writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'yaml';
import { CatalogReloadEvent, ModelCatalogService, routingConfig } from '@app/routing';
import { openChat, postChat, readSse, startUpstreams, Upstreams } from '../utils/routing-harness';
import { wireCheck } from '../utils/openai-wire';
import { startTestGateway, TestGateway } from '../utils/test-gateway';

describe('routing: hot reload of the catalog', () => {
  // Every body received is checked against OpenAI's published OpenAPI document.
  const wire = wireCheck();
  let upstreams: Upstreams;
  let gateway: TestGateway;
  let key: string;
  let catalog: ModelCatalogService;
  let configPath: string;
  const reloads: CatalogReloadEvent[] = [];

  /** `live` served by one of the two upstreams; `generation` changes the provider settings, so adapters are replaced. */
  function catalogFor(upstream: 'blue' | 'green', generation: number, extraModels: object[] = []) {
    return {
      providers: upstreams.providers.map((provider) => ({
        ...provider,
        headers: { 'x-catalog-generation': String(generation) },
      })),
      models: [{ name: 'live', deployments: [{ provider: upstream, model: `gpt-${upstream}` }] }, ...extraModels],
    };
  }

  const writeCatalog = (content: object | string) =>
    writeFileSync(configPath, typeof content === 'string' ? content : stringify(content));

  async function waitForReload(trigger: CatalogReloadEvent['trigger'], since: number): Promise<CatalogReloadEvent> {
    const deadline = Date.now() + 5_000;
    for (;;) {
      const event = reloads.slice(since).find((candidate) => candidate.trigger === trigger);
      if (event) return event;
      if (Date.now() > deadline) throw new Error(`no ${trigger} reload within 5 s`);
      await sleep(20);
    }
  }

  async function streamCompletes(content: string): Promise<{ deployment: string | null; done: boolean }> {
    const response = await openChat(gateway, key, {
      model: 'live',
      stream: true,
      messages: [{ role: 'user', content }],
    });
    const events = await readSse(response, Date.now());
    return { deployment: response.headers.get('x-switchyard-deployment'), done: events.at(-1)?.data === '[DONE]' };
  }

  beforeAll(async () => {
    upstreams = await startUpstreams('blue', 'green');
    gateway = await startTestGateway({ catalog: catalogFor('blue', 0), fetch: wire.fetch });
    key = (await gateway.createKey()).key;
    catalog = gateway.gateway.app.get(ModelCatalogService);
    configPath = gateway.gateway.app.get<{ configPath: string }>(routingConfig.KEY).configPath;
    catalog.reloads.subscribe((event) => reloads.push(event));
  });

  afterAll(async () => {
    await gateway?.close();
    await upstreams?.stop();
  });

  it('serves every request while the catalog is reloaded again and again under load', async () => {
    for (const fake of Object.values(upstreams.fakes)) fake.defaultReply = { eventDelayMs: 15 };
    let stop = false;
    const failures: string[] = [];
    const served = new Set<string>();
    const client = async (id: number) => {
      for (let i = 0; !stop; i++) {
        if ((id + i) % 2 === 0) {
          const reply = await postChat(gateway, key, 'live');
          if (reply.status !== 200) failures.push(`${reply.status} ${JSON.stringify(reply.body)}`);
          served.add(reply.headers.get('x-switchyard-deployment')!);
        } else {
          const stream = await streamCompletes('a streamed reply spanning a reload');
          if (!stream.done) failures.push(`stream via ${stream.deployment} did not finish`);
        }
      }
    };
    const clients = Array.from({ length: 6 }, (_, id) => client(id));
    let accepted = 0;
    for (let generation = 1; generation <= 40; generation++) {
      writeCatalog(catalogFor(generation % 2 === 0 ? 'blue' : 'green', generation));
      if (catalog.reload().accepted) accepted++;
      await sleep(50);
    }
    stop = true;
    await Promise.all(clients);
    expect(failures).toEqual([]);
    expect(accepted).toBe(40);
    expect(served).toEqual(new Set(['blue/gpt-blue', 'green/gpt-green']));
  });

  it('lets an in-flight stream finish on the adapter it started with, though a reload retired it', async () => {
    writeCatalog(catalogFor('blue', 100));
    catalog.reload();
    upstreams.fakes.blue.script({ eventDelayMs: 50 });
    const inFlight = streamCompletes('x'.repeat(60));
    await sleep(150);
    writeCatalog(catalogFor('green', 101));
    expect(catalog.reload().accepted).toBe(true);
    expect((await postChat(gateway, key, 'live')).headers.get('x-switchyard-deployment')).toBe('green/gpt-green');
    expect(await inFlight).toEqual({ deployment: 'blue/gpt-blue', done: true });
  });

  it('rejects a broken file with a log line naming the problem, and keeps serving the previous catalog', async () => {
    writeCatalog(catalogFor('green', 200));
    catalog.reload();
    writeCatalog({
      ...catalogFor('blue', 201),
      models: [{ name: 'live', deployments: [{ provider: 'bleu', model: 'gpt-blue' }] }],
    });
    const rejected = catalog.reload();
    expect(rejected).toMatchObject({ accepted: false, trigger: 'api' });
    expect(rejected.error).toContain('models[0].deployments[0].provider: unknown provider "bleu"');
    writeCatalog(
      `providers: [{ id: blue, type: openai, base_url: 'http://x/v1', api_key: sk-literal-key-in-a-broken-file }\nmodels: [`,
    );
    const broken = catalog.reload();
    expect(broken.accepted).toBe(false);
    expect(broken.error).toContain('not valid YAML');
    expect(broken.error).not.toContain('sk-literal-key-in-a-broken-file');
    expect(gateway.logs.filter((line) => line.includes('catalog reload rejected')).length).toBeGreaterThanOrEqual(2);
    expect(gateway.logs.join('\n')).not.toContain('sk-literal-key-in-a-broken-file');
    const reply = await postChat(gateway, key, 'live');
    expect(reply.status).toBe(200);
    expect(reply.headers.get('x-switchyard-deployment')).toBe('green/gpt-green');
  });

  it('reloads by itself when the file changes, and on SIGHUP', async () => {
    const listed = async () =>
      (
        (await (
          await wire.fetch(`${gateway.baseUrl}/v1/models`, { headers: { authorization: `Bearer ${key}` } })
        ).json()) as any
      ).data.map((m: any) => m.id);
    let since = reloads.length;
    writeCatalog(
      catalogFor('green', 300, [{ name: 'from-file', deployments: [{ provider: 'green', model: 'gpt-green' }] }]),
    );
    expect(await waitForReload('file', since)).toMatchObject({ accepted: true, models: 2 });
    expect(await listed()).toContain('from-file');

    since = reloads.length;
    // Jest gives each test file its own \`process\` object, which a real signal never reaches; emitting the
    // event on it is exactly what Node does when the process receives SIGHUP.
    process.emit('SIGHUP', 'SIGHUP');
    expect(await waitForReload('sighup', since)).toMatchObject({ accepted: true, models: 2 });
  });
});

import OpenAI from 'openai';
import { postChat, startUpstreams, Upstreams } from '../utils/routing-harness';
import { wireCheck } from '../utils/openai-wire';
import { startTestGateway, TestGateway } from '../utils/test-gateway';

describe('routing: deployment selection', () => {
  // Every body received is checked against OpenAI's published OpenAPI document.
  const wire = wireCheck();
  let upstreams: Upstreams;
  let gateway: TestGateway;
  let key: string;

  beforeAll(async () => {
    upstreams = await startUpstreams('east', 'west', 'backup');
    gateway = await startTestGateway({
      fetch: wire.fetch,
      catalog: {
        providers: upstreams.providers,
        models: [
          {
            name: 'balanced',
            aliases: ['fast', 'cheap'],
            deployments: [
              { provider: 'east', model: 'gpt-balanced', weight: 1 },
              { provider: 'west', model: 'gpt-balanced', weight: 1 },
            ],
          },
          {
            name: 'prioritised',
            deployments: [
              { provider: 'backup', model: 'gpt-prio', priority: 1, weight: 100 },
              { provider: 'east', model: 'gpt-prio', priority: 0 },
            ],
          },
        ],
      },
    });
    key = (await gateway.createKey()).key;
  });

  afterAll(async () => {
    await gateway?.close();
    await upstreams?.stop();
  });

  it('spreads traffic over equally weighted deployments, and says which one served', async () => {
    const { east, west } = upstreams.fakes;
    const before = { east: east.chatCalls, west: west.chatCalls };
    const served = new Set<string>();
    for (let i = 0; i < 100; i++) {
      const reply = await postChat(gateway, key, 'balanced');
      expect(reply.status).toBe(200);
      served.add(reply.headers.get('x-switchyard-deployment')!);
    }
    expect(served).toEqual(new Set(['east/gpt-balanced', 'west/gpt-balanced']));
    // 100 fair coin flips: fewer than 25 on either side happens with probability 2e-7 (with 40 flips
    // and a bound of 8 it was 4e-5, and CI once hit it).
    expect(east.chatCalls - before.east).toBeGreaterThanOrEqual(25);
    expect(west.chatCalls - before.west).toBeGreaterThanOrEqual(25);
  });

  it('sends everything to the best priority while it is healthy, whatever the weights', async () => {
    const before = upstreams.fakes.backup.chatCalls;
    for (let i = 0; i < 10; i++) {
      const reply = await postChat(gateway, key, 'prioritised');
      expect(reply.headers.get('x-switchyard-deployment')).toBe('east/gpt-prio');
    }
    expect(upstreams.fakes.backup.chatCalls).toBe(before);
  });

  it('moves to the next priority when the best one fails', async () => {
    upstreams.fakes.east.script({ status: 503 });
    const reply = await postChat(gateway, key, 'prioritised');
    expect(reply.status).toBe(200);
    expect(reply.headers.get('x-switchyard-deployment')).toBe('backup/gpt-prio');
    expect(reply.headers.get('x-switchyard-attempts')).toBe('2');
  });

  it('resolves aliases to the model, and lists names and aliases in /v1/models', async () => {
    const reply = await postChat(gateway, key, 'cheap');
    expect(reply.status).toBe(200);
    expect(reply.headers.get('x-switchyard-model')).toBe('balanced');
    const client = new OpenAI({ apiKey: key, baseURL: `${gateway.baseUrl}/v1`, maxRetries: 0, fetch: wire.fetch });
    const ids = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids.sort()).toEqual(['balanced', 'cheap', 'fast', 'prioritised']);
  });
});

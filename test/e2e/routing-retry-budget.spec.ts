import OpenAI from 'openai';
import { startUpstreams, Upstreams } from '../utils/routing-harness';
import { wireCheck } from '../utils/openai-wire';
import { startTestGateway, TestGateway } from '../utils/test-gateway';

const CLIENT_REQUESTS = 200;
const CONCURRENCY = 10;

describe('routing: the retry budget', () => {
  // Every body received is checked against OpenAI's published OpenAPI document.
  const wire = wireCheck();
  let upstreams: Upstreams;
  let gateway: TestGateway;
  let client: OpenAI;

  beforeAll(async () => {
    upstreams = await startUpstreams('down');
    gateway = await startTestGateway({
      fetch: wire.fetch,
      catalog: {
        providers: upstreams.providers,
        // Built-in budget (20 % of first attempts, at least 10 retries per 10 s); fast backoff to keep the run short.
        models: [
          {
            name: 'doomed',
            deployments: [{ provider: 'down', model: 'gpt-down' }],
            retry: { max_attempts: 3, base_delay_ms: 1, max_delay_ms: 5 },
          },
        ],
      },
    });
    client = new OpenAI({
      apiKey: (await gateway.createKey()).key,
      baseURL: `${gateway.baseUrl}/v1`,
      maxRetries: 0,
      fetch: wire.fetch,
    });
  });

  afterAll(async () => {
    await gateway?.close();
    await upstreams?.stop();
  });

  it('keeps a provider failing 100 % at no more than 1.2 × the client traffic', async () => {
    const { down } = upstreams.fakes;
    down.defaultReply = { status: 503 };
    const statuses: number[] = [];
    let next = 0;
    const worker = async () => {
      while (next < CLIENT_REQUESTS) {
        next++;
        const error = await client.chat.completions
          .create({ model: 'doomed', messages: [{ role: 'user', content: 'hi' }] })
          .catch((e: unknown) => e);
        statuses.push((error as InstanceType<typeof OpenAI.APIError>).status!);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));

    expect(statuses).toHaveLength(CLIENT_REQUESTS);
    expect(new Set(statuses)).toEqual(new Set([503]));
    const ratio = down.chatCalls / CLIENT_REQUESTS;
    expect(ratio).toBeLessThanOrEqual(1.2);
    // Retries did happen (a budget that never allows one would pass the bound too).
    expect(ratio).toBeGreaterThan(1.1);
  });
});

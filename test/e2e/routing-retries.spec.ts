import OpenAI from 'openai';
import { setTimeout as sleep } from 'node:timers/promises';
import { openChat, postChat, readSse, startUpstreams, streamError, Upstreams } from '../utils/routing-harness';
import { wireCheck } from '../utils/openai-wire';
import { startTestGateway, TestGateway } from '../utils/test-gateway';

describe('routing: retries', () => {
  // Every body received is checked against OpenAI's published OpenAPI document.
  const wire = wireCheck();
  let upstreams: Upstreams;
  let gateway: TestGateway;
  let key: string;
  let client: OpenAI;

  beforeAll(async () => {
    upstreams = await startUpstreams('solo', 'primary', 'secondary');
    gateway = await startTestGateway({
      fetch: wire.fetch,
      catalog: {
        providers: upstreams.providers,
        models: [
          { name: 'single', deployments: [{ provider: 'solo', model: 'gpt-single' }] },
          {
            name: 'duo',
            deployments: [
              { provider: 'primary', model: 'gpt-duo', priority: 0 },
              { provider: 'secondary', model: 'gpt-duo', priority: 1 },
            ],
          },
        ],
      },
    });
    key = (await gateway.createKey()).key;
    client = new OpenAI({ apiKey: key, baseURL: `${gateway.baseUrl}/v1`, maxRetries: 0, fetch: wire.fetch });
  });

  afterAll(async () => {
    await gateway?.close();
    await upstreams?.stop();
  });

  const messages = [{ role: 'user' as const, content: 'a message long enough for several chunks' }];

  it('retries a 503 once: the client sees 200 and x-switchyard-attempts: 2', async () => {
    const { solo } = upstreams.fakes;
    const before = solo.chatCalls;
    solo.script({ status: 503 });
    const { data, response } = await client.chat.completions.create({ model: 'single', messages }).withResponse();
    expect(data.choices[0].message.content).toBe(`Echo: ${messages[0].content}`);
    expect(response.headers.get('x-switchyard-attempts')).toBe('2');
    expect(solo.chatCalls - before).toBe(2);
  });

  it('after a 429 with retry-after: 1, sends that deployment nothing for a second and serves from another', async () => {
    const { primary, secondary } = upstreams.fakes;
    primary.script({ status: 429, headers: { 'retry-after': '1' } });
    const first = await postChat(gateway, key, 'duo');
    expect(first.status).toBe(200);
    expect(first.headers.get('x-switchyard-deployment')).toBe('secondary/gpt-duo');
    const limitedAt = primary.receivedAt.at(-1)!;
    const primaryCalls = primary.chatCalls;
    const servedBy: string[] = [];
    while (primary.chatCalls === primaryCalls && Date.now() - limitedAt < 3_000) {
      servedBy.push((await postChat(gateway, key, 'duo')).headers.get('x-switchyard-deployment')!);
      await sleep(25);
    }
    expect(primary.receivedAt.at(-1)! - limitedAt).toBeGreaterThanOrEqual(1_000);
    // Back in rotation soon after the second is over, and the other deployment served meanwhile.
    expect(primary.receivedAt.at(-1)! - limitedAt).toBeLessThan(2_000);
    expect(servedBy.slice(0, -1).every((deployment) => deployment === 'secondary/gpt-duo')).toBe(true);
    expect(secondary.chatCalls).toBeGreaterThan(5);
  });

  it('waits out a short retry-after when no other deployment can serve', async () => {
    const { solo } = upstreams.fakes;
    solo.script({ status: 429, headers: { 'retry-after': '1' } });
    const reply = await postChat(gateway, key, 'single');
    expect(reply.status).toBe(200);
    expect(reply.headers.get('x-switchyard-attempts')).toBe('2');
    expect(solo.receivedAt.at(-1)! - solo.receivedAt.at(-2)!).toBeGreaterThanOrEqual(1_000);
  });

  it('retries a stream cut before its first content byte invisibly: the client sees a normal stream', async () => {
    const { primary, secondary } = upstreams.fakes;
    primary.script({ cutAfterEvents: 1 });
    const secondaryBefore = secondary.chatCalls;
    const { data: stream, response } = await client.chat.completions
      .create({ model: 'duo', messages, stream: true })
      .withResponse();
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe(`Echo: ${messages[0].content}`);
    expect(response.headers.get('x-switchyard-attempts')).toBe('2');
    expect(response.headers.get('x-switchyard-deployment')).toBe('secondary/gpt-duo');
    expect(secondary.chatCalls).toBe(secondaryBefore + 1);
  });

  it('never switches upstream after the first content byte: a cut ends the stream with an error event', async () => {
    const { primary, secondary } = upstreams.fakes;
    primary.script({ cutAfterEvents: 3 });
    const secondaryBefore = secondary.chatCalls;
    const sentAt = Date.now();
    const response = await openChat(gateway, key, { model: 'duo', stream: true, messages });
    expect(response.headers.get('x-switchyard-deployment')).toBe('primary/gpt-duo');
    const events = await readSse(response, sentAt);
    expect(events.some((event) => event.data === '[DONE]')).toBe(false);
    expect(JSON.parse(events[1].data).choices[0].delta.content).toBeTruthy();
    expect(streamError(events)).toMatchObject({ code: 'upstream_connection_error', type: 'upstream_error' });
    expect(secondary.chatCalls).toBe(secondaryBefore);
  });
});

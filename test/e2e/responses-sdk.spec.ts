import OpenAI from 'openai';
import {
  anthropicDriver,
  geminiDriver,
  openAiWireDriver,
  ProviderDriver,
  driverCatalog,
} from '../conformance/provider-drivers';
import { FakeOpenAiServer } from '../fakes/fake-openai.server';
import { recordsOf } from '../utils/evidence';
import { wireCheck } from '../utils/openai-wire';
import { openAiCatalog, startTestGateway, TestGateway } from '../utils/test-gateway';

/**
 * `POST /v1/responses` through the official OpenAI SDK, as Codex CLI, the Vercel AI SDK and LangChain call it,
 * with the model served by each wire format behind the gateway (translated from Chat Completions).
 */
const DRIVERS: ProviderDriver[] = [openAiWireDriver('openai', 'openai'), anthropicDriver(), geminiDriver()];

const TOOLS: OpenAI.Responses.FunctionTool[] = [
  {
    type: 'function',
    name: 'get_weather',
    description: 'Weather now',
    strict: false,
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
];

describe.each(DRIVERS.map((driver) => [driver.name, driver] as const))('Responses API via %s', (_name, driver) => {
  let gateway: TestGateway;
  let client: OpenAI;
  // Every Response object and stream event received is checked against OpenAI's published OpenAPI document.
  const wire = wireCheck(driver.name);

  beforeAll(async () => {
    await driver.start();
    gateway = await startTestGateway({ catalog: driverCatalog(driver) });
    client = new OpenAI({
      apiKey: (await gateway.createKey()).key,
      baseURL: `${gateway.baseUrl}/v1`,
      maxRetries: 0,
      fetch: wire.fetch,
    });
  });

  afterAll(async () => {
    await gateway?.close();
    await driver.stop();
  });

  it('answers responses.create, and responses.stream ends with the same output and usage', async () => {
    driver.scriptToolCalls('Hello, Oslo!', []);
    const response = await client.responses.create({
      model: 'chat',
      instructions: 'Be brief.',
      input: 'Say hello',
      store: false,
    });
    expect(response).toMatchObject({
      object: 'response',
      status: 'completed',
      model: 'chat',
      output_text: 'Hello, Oslo!',
    });
    expect(response.usage?.input_tokens).toBeGreaterThan(0);
    expect(response.usage?.total_tokens).toBe(
      (response.usage?.input_tokens ?? 0) + (response.usage?.output_tokens ?? 0),
    );

    driver.scriptToolCalls('Hello, Oslo!', []);
    const stream = client.responses.stream({
      model: 'chat',
      instructions: 'Be brief.',
      input: 'Say hello',
      store: false,
    });
    const events: Array<{ type: string; sequence_number: number }> = [];
    stream.on('event', (event) => events.push(event));
    const final = await stream.finalResponse();
    expect(final.output_text).toBe('Hello, Oslo!');
    expect(final.usage).toEqual(response.usage);
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_event, i) => i));
    expect(events[0].type).toBe('response.created');
    expect(events.map((event) => event.type)).toEqual(
      expect.arrayContaining(['response.output_text.delta', 'response.output_text.done', 'response.output_item.done']),
    );
    expect(events.at(-1)?.type).toBe('response.completed');
  });

  it('round-trips a function call: function_call → function_call_output → final text', async () => {
    driver.scriptToolCalls('', [{ name: 'get_weather', arguments: '{"city":"Oslo"}' }]);
    const first = await client.responses
      .stream({ model: 'chat', input: 'Weather in Oslo?', tools: TOOLS, store: false })
      .finalResponse();
    const call = first.output.find((item) => item.type === 'function_call') as
      OpenAI.Responses.ResponseFunctionToolCall | undefined;
    expect(call).toMatchObject({ name: 'get_weather', arguments: '{"city":"Oslo"}', status: 'completed' });

    driver.scriptToolCalls('Sunny in Oslo.', []);
    const second = await client.responses.create({
      model: 'chat',
      tools: TOOLS,
      store: false,
      input: [
        { role: 'user', content: 'Weather in Oslo?' },
        { type: 'function_call', call_id: call!.call_id, name: call!.name, arguments: call!.arguments },
        { type: 'function_call_output', call_id: call!.call_id, output: 'sunny' },
      ],
    });
    expect(second.output_text).toBe('Sunny in Oslo.');
  });

  it('leaves out a hosted tool the provider cannot run, naming it in a header and in the evidence record', async () => {
    driver.scriptToolCalls('Searched nothing.', []);
    const { data, response } = await client.responses
      .create({ model: 'chat', input: 'News?', tools: [{ type: 'web_search' }, ...TOOLS], store: false })
      .withResponse();
    expect(data.status).toBe('completed');
    expect(response.headers.get('x-switchyard-dropped-tools')).toBe('web_search');
    const [record] = await recordsOf(gateway, response.headers.get('x-request-id')!);
    expect(record.dropped).toEqual(expect.arrayContaining(['tool web_search']));
  });

  it('refuses previous_response_id with a 400 that says to send the whole input', async () => {
    await expect(
      client.responses.create({ model: 'chat', input: 'again', previous_response_id: 'resp_123' }),
    ).rejects.toMatchObject({
      status: 400,
      error: { param: 'previous_response_id' },
    });
  });
});

describe('Responses API: a stream cut mid-way', () => {
  const wire = wireCheck();

  it('ends with response.failed, never response.completed', async () => {
    const fake = new FakeOpenAiServer('sk-provider');
    const gateway = await startTestGateway({ catalog: openAiCatalog(await fake.start(), 'sk-provider') });
    try {
      const client = new OpenAI({
        apiKey: (await gateway.createKey()).key,
        baseURL: `${gateway.baseUrl}/v1`,
        maxRetries: 0,
        fetch: wire.fetch,
      });
      fake.script({ text: 'a long answer that breaks off', errorAfterEvents: 3 });
      const stream = await client.responses.create({ model: 'gpt-test', input: 'Tell me a story', stream: true });
      const events: OpenAI.Responses.ResponseStreamEvent[] = [];
      for await (const event of stream) events.push(event);
      const types = events.map((event) => event.type);
      expect(types).toContain('response.output_text.delta');
      expect(types).not.toContain('response.completed');
      expect(events.at(-1)).toMatchObject({
        type: 'response.failed',
        response: { status: 'failed', error: { code: expect.any(String) } },
      });
    } finally {
      await gateway.close();
      await fake.stop();
    }
  });
});

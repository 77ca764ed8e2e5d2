import OpenAI from 'openai';
import { FakeOpenAiServer } from '../fakes/fake-openai.server';
import { wireCheck } from '../utils/openai-wire';
import { startTestGateway, TestGateway } from '../utils/test-gateway';

const PROVIDER_KEY = 'sk-openai-compatible-provider';
const MESSAGES = [{ role: 'user' as const, content: 'Weather in Oslo?' }];

/**
 * An OpenAI-compatible upstream (vLLM, some proxies) that leaves out the null fields OpenAI's spec requires of
 * a non-stream answer: the client still gets a body a strict client accepts, with them set to null.
 */
describe('an OpenAI-compatible upstream that leaves out the null fields', () => {
  // Every body received is checked against OpenAI's published OpenAPI document.
  const wire = wireCheck();
  const upstream = new FakeOpenAiServer(PROVIDER_KEY);
  let gateway: TestGateway;
  let client: OpenAI;

  beforeAll(async () => {
    const baseUrl = await upstream.start();
    upstream.defaultReply = { omitNullFields: true };
    gateway = await startTestGateway({
      catalog: {
        providers: [{ id: 'vllm', type: 'openai-compatible', base_url: `${baseUrl}/v1`, api_key: PROVIDER_KEY }],
        models: [{ name: 'qwen', deployments: [{ provider: 'vllm', model: 'qwen' }] }],
      },
    });
    const { key } = await gateway.createKey();
    client = new OpenAI({ apiKey: key, baseURL: `${gateway.baseUrl}/v1`, maxRetries: 0, fetch: wire.fetch });
  });

  afterAll(async () => {
    await gateway?.close();
    await upstream.stop();
  });

  it('answers text with refusal and logprobs null', async () => {
    const answer = await client.chat.completions.create({ model: 'qwen', messages: MESSAGES });
    expect(answer.choices[0]).toMatchObject({
      message: { role: 'assistant', content: 'Echo: Weather in Oslo?', refusal: null },
      logprobs: null,
      finish_reason: 'stop',
    });
  });

  it('answers a tool call with content, refusal and logprobs null', async () => {
    upstream.script({ omitNullFields: true, toolCalls: [{ name: 'weather', arguments: '{"city":"Oslo"}' }] });
    const answer = await client.chat.completions.create({
      model: 'qwen',
      messages: MESSAGES,
      tools: [{ type: 'function', function: { name: 'weather', parameters: { type: 'object' } } }],
    });
    expect(answer.choices[0]).toMatchObject({
      message: {
        content: null,
        refusal: null,
        tool_calls: [{ type: 'function', function: { name: 'weather', arguments: '{"city":"Oslo"}' } }],
      },
      logprobs: null,
      finish_reason: 'tool_calls',
    });
  });
});

import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import {
  chatStreamEventViolations,
  expectResponsesEvent,
  expectStreamChunk,
  expectWireBody,
  responsesEventViolations,
  WireCheck,
  wireViolations,
} from './openai-wire';

/** Planted violations: the wire checks must catch each, naming the schema and the JSON path. */
const completion = () => ({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1_767_225_600,
  model: 'gpt-test',
  choices: [
    {
      index: 0,
      message: { role: 'assistant', content: 'Hi.', refusal: null },
      logprobs: null,
      finish_reason: 'stop',
    },
  ],
  usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
});

const chunk = () => ({
  id: 'chatcmpl-1',
  object: 'chat.completion.chunk',
  created: 1_767_225_600,
  model: 'gpt-test',
  choices: [{ index: 0, delta: { content: 'Hi' }, logprobs: null, finish_reason: null }],
});

describe('wire checks against OpenAI’s OpenAPI document', () => {
  it('accepts a conforming answer, chunk and error, with our extra fields', () => {
    const answer = completion();
    Object.assign(answer.choices[0].message, { reasoning_content: 'Short question.' });
    expect(() => expectWireBody('CreateChatCompletionResponse', answer)).not.toThrow();
    expect(() => expectStreamChunk(chunk())).not.toThrow();
    expect(() =>
      expectWireBody('ErrorResponse', {
        error: { message: 'No such model', type: 'invalid_request_error', param: 'model', code: 'model_not_found' },
      }),
    ).not.toThrow();
  });

  it('names the path of a required field left out', () => {
    const answer = completion();
    delete (answer.choices[0].message as { refusal?: null }).refusal;
    expect(() => expectWireBody('CreateChatCompletionResponse', answer)).toThrow(
      /CreateChatCompletionResponse \/choices\/0\/message: must have required property 'refusal'/,
    );
  });

  it('names the path of a value outside its enum', () => {
    const answer = completion();
    answer.choices[0].finish_reason = 'end_turn';
    expect(wireViolations('CreateChatCompletionResponse', answer)).toEqual([
      expect.stringMatching(/^CreateChatCompletionResponse \/choices\/0\/finish_reason: must be equal to one of/),
    ]);
  });

  it('refuses a millisecond `created`', () => {
    expect(wireViolations('CreateChatCompletionResponse', { ...completion(), created: 1_767_225_600_000 })).toEqual([
      expect.stringMatching(/^CreateChatCompletionResponse \/created: must match format "unixtime"/),
    ]);
    expect(() => expectStreamChunk({ ...chunk(), created: Date.now() })).toThrow(/\/created: must match format/);
  });

  it('checks a stream chunk and the error event that may end a chat stream', () => {
    expect(chatStreamEventViolations({ ...chunk(), object: 'chat.completion' })).toEqual([
      expect.stringMatching(/^CreateChatCompletionStreamResponse \/object: must be equal to one of/),
    ]);
    // The error event is held to the error shape: `param` and `code` must be there, null or not.
    expect(chatStreamEventViolations({ error: { message: 'Upstream failed', type: 'upstream_error' } })).toEqual([
      'ErrorResponse /error: must have required property \'param\' {"missingProperty":"param"}',
      'ErrorResponse /error: must have required property \'code\' {"missingProperty":"code"}',
    ]);
  });

  it('checks a Responses event against the member its type names, and refuses an unknown type', () => {
    expect(responsesEventViolations({ type: 'response.output_text.delta', delta: 'Hi' })).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^ResponseTextDeltaEvent \/: must have required property 'sequence_number'/),
      ]),
    );
    expect(() => expectResponsesEvent({ type: 'response.thinking' })).toThrow(
      'ResponseStreamEvent /type: "response.thinking" is no event type of the spec',
    );
  });

  it('tolerates a base64 embedding (allow-listed) but not any other string there', () => {
    const embeddings = (embedding: unknown) => ({
      object: 'list',
      model: 'text-embedding-3-small',
      data: [{ object: 'embedding', index: 0, embedding }],
      usage: { prompt_tokens: 1, total_tokens: 1 },
    });
    expect(wireViolations('CreateEmbeddingResponse', embeddings('AACAPwAAAD8='))).toEqual([]);
    expect(wireViolations('CreateEmbeddingResponse', embeddings('not base64!'))).toEqual([
      expect.stringMatching(/^CreateEmbeddingResponse \/data\/0\/embedding: must be array/),
    ]);
  });
});

describe('WireCheck.fetch: every received body checked, unchanged for the caller', () => {
  /** What the planted server answers, by path. */
  const answers: Record<string, { status?: number; type?: string; body: string; keepOpen?: boolean }> = {};
  let server: Server;
  let baseUrl: string;

  beforeAll(async () => {
    server = createServer((request, response) => {
      const answer = answers[new URL(request.url!, 'http://x').pathname] ?? { status: 404, body: '' };
      response.writeHead(answer.status ?? 200, { 'content-type': answer.type ?? 'application/json' });
      if (answer.keepOpen) response.write(answer.body);
      else response.end(answer.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const sse = (...events: string[]) => events.map((data) => `data: ${data}\n\n`).join('');

  it('catches a planted violation in a non-stream answer the SDK accepts, with the route and the path', async () => {
    const check = new WireCheck();
    const answer = { ...completion(), created: 1_767_225_600_000 };
    answers['/v1/chat/completions'] = { body: JSON.stringify(answer) };
    const client = new OpenAI({ apiKey: 'k', baseURL: `${baseUrl}/v1`, maxRetries: 0, fetch: check.fetch });
    const received = await client.chat.completions.create({ model: 'gpt-test', messages: [] });
    expect(received.created).toBe(answer.created);
    expect(check.takeViolations()).toEqual([
      expect.stringMatching(
        /^POST \/v1\/chat\/completions → 200: CreateChatCompletionResponse \/created: must match format "unixtime"/,
      ),
    ]);
    expect(() => check.expectClean()).not.toThrow();
  });

  it('catches a planted violation in one stream event by its number, and passes the stream on whole', async () => {
    const check = new WireCheck();
    const bad = { ...chunk(), choices: [{ index: 0, delta: { role: 'model' }, finish_reason: null }] };
    answers['/v1/chat/completions'] = {
      type: 'text/event-stream',
      body: sse(JSON.stringify(chunk()), JSON.stringify(bad), '[DONE]'),
    };
    const client = new OpenAI({ apiKey: 'k', baseURL: `${baseUrl}/v1`, maxRetries: 0, fetch: check.fetch });
    const stream = await client.chat.completions.create({ model: 'gpt-test', messages: [], stream: true });
    const chunks = [];
    for await (const received of stream) chunks.push(received);
    expect(chunks).toHaveLength(2);
    expect(() => check.expectClean()).toThrow(
      /POST \/v1\/chat\/completions → 200, event 1: CreateChatCompletionStreamResponse \/choices\/0\/delta\/role: must be equal to one of/,
    );
    expect(check.checked.get('chat stream event')).toBe(2);
  });

  it('refuses a chat stream that ends without [DONE] or an error event, or goes on after one', async () => {
    const check = new WireCheck();
    const client = new OpenAI({ apiKey: 'k', baseURL: `${baseUrl}/v1`, maxRetries: 0, fetch: check.fetch });
    const readAll = async () => {
      const stream = await client.chat.completions.create({ model: 'gpt-test', messages: [], stream: true });
      for await (const _chunk of stream);
    };
    answers['/v1/chat/completions'] = { type: 'text/event-stream', body: sse(JSON.stringify(chunk())) };
    await readAll(); // the SDK takes the cut stream for a whole one
    const error = JSON.stringify({
      error: { message: 'Upstream failed', type: 'upstream_error', param: null, code: null },
    });
    answers['/v1/chat/completions'] = { type: 'text/event-stream', body: sse(error, JSON.stringify(chunk())) };
    await expect(readAll()).rejects.toThrow('Upstream failed');
    answers['/v1/chat/completions'] = { type: 'text/event-stream', body: sse(JSON.stringify(chunk()), error) };
    await expect(readAll()).rejects.toThrow('Upstream failed');
    expect(check.takeViolations()).toEqual([
      'POST /v1/chat/completions → 200: the stream ended after 1 events without [DONE] or an error event',
      'POST /v1/chat/completions → 200, event 1: after an error event, which ends the stream',
    ]);
  });

  it('refuses a Responses stream that ends without its terminal event, unless the test declared the cut', async () => {
    const check = new WireCheck();
    const event = (type: string) => `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: 0 })}\n\n`;
    answers['/v1/responses'] = { type: 'text/event-stream', body: event('response.in_progress') };
    await (await check.fetch(`${baseUrl}/v1/responses`, { method: 'POST', body: '{}' })).text();
    expect(check.takeViolations()).toContain(
      'POST /v1/responses → 200: the stream ended after 1 events without response.completed or response.incomplete or response.failed',
    );
    check.allowCutStreams('the upstream dies mid-stream');
    await (await check.fetch(`${baseUrl}/v1/responses`, { method: 'POST', body: '{}' })).text();
    expect(check.takeViolations().filter((violation) => violation.includes('the stream ended'))).toEqual([]);
    expect(check.checked.get('cut stream (declared: the upstream dies mid-stream)')).toBe(1);
    check.endTest(); // the declaration lasts until the test ends
    await (await check.fetch(`${baseUrl}/v1/responses`, { method: 'POST', body: '{}' })).text();
    expect(check.takeViolations()).toContain(
      'POST /v1/responses → 200: the stream ended after 1 events without response.completed or response.incomplete or response.failed',
    );
  });

  it('does not hold a stream its reader stopped reading, or aborted, to the ending rule', async () => {
    const check = new WireCheck();
    answers['/v1/chat/completions'] = { type: 'text/event-stream', body: sse(JSON.stringify(chunk())) };
    const response = await check.fetch(`${baseUrl}/v1/chat/completions`, { method: 'POST', body: '{}' });
    await response.body!.cancel();
    answers['/v1/chat/completions'] = { type: 'text/event-stream', body: sse(JSON.stringify(chunk())), keepOpen: true };
    const aborting = new AbortController();
    const aborted = await check.fetch(`${baseUrl}/v1/chat/completions`, {
      method: 'POST',
      body: '{}',
      signal: aborting.signal,
    });
    const reader = aborted.body!.getReader();
    await reader.read();
    aborting.abort();
    await expect(reader.read()).rejects.toThrow();
    expect(check.takeViolations()).toEqual([]);
  });

  it('checks error bodies as ErrorResponse, and refuses a body that is not JSON or has no schema', async () => {
    const check = new WireCheck();
    answers['/v1/models'] = { status: 401, body: JSON.stringify({ error: { message: 'No key', type: 'auth' } }) };
    answers['/v1/embeddings'] = { body: 'Internal Server Error', type: 'text/plain' };
    answers['/v1/unknown'] = { body: '{}' };
    await check.fetch(`${baseUrl}/v1/models`);
    await check.fetch(`${baseUrl}/v1/embeddings`, { method: 'POST', body: '{}' });
    await check.fetch(`${baseUrl}/v1/unknown`);
    expect(check.takeViolations()).toEqual([
      expect.stringMatching(/^GET \/v1\/models → 401: ErrorResponse \/error: must have required property 'param'/),
      expect.stringMatching(/^GET \/v1\/models → 401: ErrorResponse \/error: must have required property 'code'/),
      'POST /v1/embeddings → 200: content-type "text/plain", not JSON',
      "GET /v1/unknown → 200: no schema of OpenAI's document is mapped to this route",
    ]);
  });

  it('leaves the allow-listed Anthropic routes alone, and counts them', async () => {
    const check = new WireCheck();
    answers['/v1/messages'] = { body: JSON.stringify({ type: 'message', content: [] }) };
    const response = await check.fetch(`${baseUrl}/v1/messages`, { method: 'POST', body: '{}' });
    expect(await response.json()).toEqual({ type: 'message', content: [] });
    expect(check.takeViolations()).toEqual([]);
    expect(check.checked.get("not OpenAI's: /v1/messages")).toBe(1);
  });
});

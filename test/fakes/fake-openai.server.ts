import type { ServerResponse } from 'node:http';
import {
  delayHeaders,
  FakeHttpServer,
  RecordedRequest,
  sendJson,
  WireOptions,
  writeAtOffsets,
  writeEvents,
} from './fake-http';
import { generateImages } from './fake-openai-images';

/**
 * A fake OpenAI-compatible upstream (Chat Completions, Embeddings, image generations: fake-openai-images.ts)
 * speaking OpenAI's exact wire format, in one of three dialects:
 *   - `openai`: `Authorization: Bearer`, paths `/v1/chat/completions`, `/v1/embeddings`;
 *   - `azure`: `api-key` header, `/openai/deployments/{deployment}/…?api-version=…` or `/openai/v1/…`, a
 *     stream that opens with an empty-`choices` `prompt_filter_results` chunk, `content_filter_results`;
 *   - `deepseek`: `prompt_cache_hit_tokens`/`_miss_tokens` usage, `reasoning_content` deltas first,
 *     `: keep-alive` comments in streams and blank lines before non-stream JSON.
 *
 *   const fake = new FakeOpenAiServer('sk-provider-key'); const base = await fake.start(); // base + '/v1'
 *   fake.script({ status: 503 }, { text: 'ok' }); // the next two replies, then `defaultReply`
 *   fake.requests / fake.calls('/chat/completions') / fake.unauthorized / fake.clientAborts
 *
 * It rejects any key but its own with OpenAI's 401 envelope (and records the attempt), answers
 * deterministically (same request → same text and usage, streamed or not), honours
 * `stream_options.include_usage`, and streams tool calls as OpenAI does: id and name on the first
 * delta, arguments in fragments.
 */
export interface OpenAiReply extends WireOptions {
  /** Answer with this status and an OpenAI error envelope (or `errorBody`). */
  status?: number;
  errorBody?: unknown;
  headers?: Record<string, string>;
  /** Reply text; default `Echo: <last user message>`. */
  text?: string;
  toolCalls?: Array<{ name: string; arguments: string }>;
  /** The finish reason (e.g. `length`, `content_filter`); default `tool_calls` after tool calls, else `stop`. */
  finishReason?: string;
  /** Streams: send an error event after this many events, then close without [DONE]. */
  errorAfterEvents?: number;
  /** Streams: replay these recorded SSE bytes verbatim instead of the generated events. */
  rawEvents?: string;
  /** With `rawEvents`: cut the body into TCP writes at these byte offsets. */
  splitAt?: number[];
  /**
   * Chat completions, streamed or not: send these bytes as the body instead (with `headers`, e.g. a
   * `content-encoding`), written as the gateway reads them and stopped when it hangs up; e.g. an endless line.
   */
  rawBody?: () => AsyncIterable<Buffer>;
  /** Report this as `usage` (any JSON, malformed on purpose); `null`: report none. Default: counted. */
  usage?: unknown;
  /**
   * Non-stream chat: leave out the fields OpenAI sends as null (`message.refusal`, a `message.content` of null
   * beside tool calls, `choices[].logprobs`), as vLLM and some proxies do.
   */
  omitNullFields?: boolean;
}

const UPSTREAM_MODEL_SUFFIX = '-2025-04-14';

export type OpenAiDialect = 'openai' | 'azure' | 'deepseek';

export class FakeOpenAiServer extends FakeHttpServer {
  readonly unauthorized: RecordedRequest[] = [];
  defaultReply: OpenAiReply = {};
  private readonly queue: OpenAiReply[] = [];

  constructor(
    /** The only key accepted; change it to simulate a revoked provider key. */
    public apiKey: string,
    readonly dialect: OpenAiDialect = 'openai',
  ) {
    super();
  }

  /** Replies for the next requests, in order; `defaultReply` afterwards. */
  script(...replies: OpenAiReply[]): void {
    this.queue.push(...replies);
  }

  protected async handle(request: RecordedRequest, res: ServerResponse): Promise<void> {
    const presented = this.dialect === 'azure' ? request.headers['api-key'] : request.headers.authorization;
    if (presented !== (this.dialect === 'azure' ? this.apiKey : `Bearer ${this.apiKey}`)) {
      this.unauthorized.push(request);
      return sendJson(
        res,
        401,
        errorEnvelope('Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key'),
      );
    }
    if (this.dialect === 'azure' && !isAzurePath(request.url)) {
      return sendJson(res, 404, { error: { code: '404', message: 'Resource not found' } });
    }
    const reply = this.queue.shift() ?? this.defaultReply;
    if (reply.headersDelayMs) await delayHeaders(res, reply.headersDelayMs);
    if (reply.status && reply.status >= 400) {
      return sendJson(res, reply.status, reply.errorBody ?? defaultError(reply.status), reply.headers);
    }
    const path = request.url.split('?')[0];
    if (path.endsWith('/chat/completions')) {
      const invalid = invalidConversation(request.body);
      if (invalid)
        return sendJson(res, 400, {
          error: { message: invalid, type: 'invalid_request_error', param: 'messages', code: null },
        });
      return this.chat(request.body, reply, res);
    }
    if (path.endsWith('/embeddings')) return sendJson(res, 200, embeddingsFor(request.body, reply), reply.headers);
    if (path.endsWith('/images/generations')) {
      const answer = generateImages(request.body, reply.usage);
      return sendJson(res, answer.status, answer.body, reply.headers);
    }
    sendJson(res, 404, errorEnvelope(`Invalid URL (${request.method} ${path})`, 'invalid_request_error', null));
  }

  private async chat(body: any, reply: OpenAiReply, res: ServerResponse): Promise<void> {
    if (reply.rawBody) {
      const type = body.stream ? 'text/event-stream; charset=utf-8' : 'application/json';
      res.writeHead(200, { 'content-type': type, ...reply.headers });
      return writeWithBackPressure(res, reply.rawBody());
    }
    const answer = answerFor(body, reply, this.dialect);
    if (!body.stream) {
      const body = completion(answer, this.dialect);
      const json = JSON.stringify(reply.omitNullFields ? withoutNullFields(body) : body);
      res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req_fake', ...reply.headers });
      // DeepSeek keeps slow non-stream requests alive with blank lines before the JSON.
      res.end(this.dialect === 'deepseek' ? `\n\n${json}` : json);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', ...reply.headers });
    if (reply.rawEvents !== undefined) {
      await writeAtOffsets(res, Buffer.from(reply.rawEvents, 'utf8'), reply.splitAt ?? []);
      res.end();
      return;
    }
    const events = streamEvents(answer, body.stream_options?.include_usage === true, this.dialect).map(
      (e) => `${this.dialect === 'deepseek' ? ': keep-alive\n\n' : ''}data: ${JSON.stringify(e)}\n\n`,
    );
    if (reply.errorAfterEvents !== undefined) {
      await writeEvents(res, events.slice(0, reply.errorAfterEvents), reply);
      const error = errorEnvelope(
        'The server had an error while processing your request. Sorry about that!',
        'server_error',
        null,
      );
      res.end(`data: ${JSON.stringify(error)}\n\n`);
      return;
    }
    if (await writeEvents(res, events, reply)) res.end('data: [DONE]\n\n');
  }
}

async function writeWithBackPressure(res: ServerResponse, chunks: AsyncIterable<Buffer>): Promise<void> {
  for await (const chunk of chunks) {
    if (res.destroyed) return;
    if (!res.write(chunk)) await drainedOrClosed(res);
  }
  res.end();
}

function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done).off('close', done);
      resolve();
    };
    res.on('drain', done).on('close', done);
  });
}

interface Answer {
  id: string;
  model: string;
  text: string;
  reasoning: string;
  toolCalls: Array<{ id: string; name: string; arguments: string }>;
  finishReason: string;
  /** Null: the reply carries no usage (no `usage` field, no usage chunk). */
  usage: unknown;
}

function answerFor(body: any, reply: OpenAiReply, dialect: OpenAiDialect): Answer {
  const lastUser = [...(body.messages ?? [])].reverse().find((m: any) => m.role === 'user');
  const said = typeof lastUser?.content === 'string' ? lastUser.content : JSON.stringify(lastUser?.content ?? '');
  const toolCalls = (reply.toolCalls ?? []).map((call, i) => ({ id: `call_fake${i}`, ...call }));
  const text = reply.text ?? (toolCalls.length ? '' : `Echo: ${said}`);
  const prompt = 5 + JSON.stringify(body.messages ?? []).length;
  const completionTokens = Math.max(
    1,
    Math.ceil((text.length + toolCalls.reduce((n, c) => n + c.arguments.length, 0)) / 4),
  );
  const counted: Record<string, unknown> = {
    prompt_tokens: prompt,
    completion_tokens: completionTokens,
    total_tokens: prompt + completionTokens,
  };
  if (dialect === 'deepseek')
    Object.assign(counted, { prompt_cache_hit_tokens: 4, prompt_cache_miss_tokens: prompt - 4 });
  const usage = reply.usage === undefined ? counted : reply.usage;
  const reasoning = dialect === 'deepseek' && String(body.model).includes('reasoner') ? 'Thinking it over.' : '';
  const finishReason = reply.finishReason ?? (toolCalls.length ? 'tool_calls' : 'stop');
  return {
    id: 'chatcmpl-fake',
    model: `${body.model}${UPSTREAM_MODEL_SUFFIX}`,
    text,
    reasoning,
    toolCalls,
    finishReason,
    usage,
  };
}

/** OpenAI's own checks on a tool conversation: every tool result answers a call made just before it. */
function invalidConversation(body: any): string | undefined {
  if (!Array.isArray(body?.messages) || body.messages.length === 0) return "Missing required parameter: 'messages'.";
  let open = new Set<string>();
  for (const [i, message] of body.messages.entries()) {
    if (message.role === 'assistant' && Array.isArray(message.tool_calls)) {
      for (const call of message.tool_calls) {
        if (typeof call.id !== 'string' || call.type !== 'function' || typeof call.function?.arguments !== 'string') {
          return `Invalid value for 'messages[${i}].tool_calls': each call needs id, type "function" and string arguments.`;
        }
      }
      open = new Set(message.tool_calls.map((call: { id: string }) => call.id));
    } else if (message.role === 'tool') {
      if (!open.has(message.tool_call_id)) {
        return "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.";
      }
    } else {
      open = new Set();
    }
  }
  return undefined;
}

function isAzurePath(url: string): boolean {
  const [path, query = ''] = url.split('?');
  if (path.startsWith('/openai/v1/')) return true;
  return (
    /^\/openai\/deployments\/[^/]+\/(chat\/completions|embeddings|images\/generations)$/.test(path) &&
    /(^|&)api-version=\d{4}-\d{2}-\d{2}/.test(query)
  );
}

const AZURE_FILTER_RESULTS = {
  hate: { filtered: false, severity: 'safe' },
  violence: { filtered: false, severity: 'safe' },
};

function completion(answer: Answer, dialect: OpenAiDialect) {
  return {
    id: answer.id,
    object: 'chat.completion',
    created: 1_767_225_600,
    model: answer.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: answer.text || null,
          refusal: null,
          ...(answer.reasoning ? { reasoning_content: answer.reasoning } : {}),
          ...(answer.toolCalls.length
            ? {
                tool_calls: answer.toolCalls.map((c) => ({
                  id: c.id,
                  type: 'function',
                  function: { name: c.name, arguments: c.arguments },
                })),
              }
            : {}),
          annotations: [],
        },
        logprobs: null,
        finish_reason: answer.finishReason,
        ...(dialect === 'azure' ? { content_filter_results: AZURE_FILTER_RESULTS } : {}),
      },
    ],
    ...(answer.usage === null ? {} : { usage: answer.usage }),
    service_tier: 'default',
    system_fingerprint: 'fp_fake',
  };
}

/** The completion as vLLM answers: its choices without the fields that are null. */
function withoutNullFields(body: ReturnType<typeof completion>) {
  const choices = body.choices.map(({ logprobs: _logprobs, message, ...choice }) => {
    const { refusal: _refusal, content, ...rest } = message;
    return { ...choice, message: content === null ? rest : { ...rest, content } };
  });
  return { ...body, choices };
}

function streamEvents(answer: Answer, includeUsage: boolean, dialect: OpenAiDialect): object[] {
  const filter = dialect === 'azure' ? { content_filter_results: AZURE_FILTER_RESULTS } : {};
  const chunk = (delta: object, finish: string | null = null) => ({
    id: answer.id,
    object: 'chat.completion.chunk',
    created: 1_767_225_600,
    model: answer.model,
    system_fingerprint: 'fp_fake',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish, ...filter }],
    ...(includeUsage ? { usage: null } : {}),
  });
  const events: object[] = [];
  if (dialect === 'azure') {
    events.push({
      id: '',
      object: '',
      created: 0,
      model: '',
      choices: [],
      prompt_filter_results: [{ prompt_index: 0, content_filter_results: AZURE_FILTER_RESULTS }],
    });
  }
  events.push(chunk({ role: 'assistant', content: '', refusal: null }));
  for (const piece of answer.reasoning.match(/.{1,6}/gs) ?? [])
    events.push(chunk({ reasoning_content: piece, content: null }));
  for (const piece of answer.text.match(/.{1,6}/gs) ?? []) events.push(chunk({ content: piece }));
  answer.toolCalls.forEach((call, index) => {
    events.push(
      chunk({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] }),
    );
    for (const piece of call.arguments.match(/.{1,5}/gs) ?? []) {
      events.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
    }
  });
  events.push(chunk({}, answer.finishReason));
  if (includeUsage && answer.usage !== null) {
    events.push({
      id: answer.id,
      object: 'chat.completion.chunk',
      created: 1_767_225_600,
      model: answer.model,
      choices: [],
      usage: answer.usage,
    });
  }
  return events;
}

function embeddingsFor(body: any, reply: OpenAiReply) {
  const inputs: unknown[] = Array.isArray(body.input) ? body.input : [body.input];
  const usage =
    reply.usage === undefined ? { prompt_tokens: inputs.length * 3, total_tokens: inputs.length * 3 } : reply.usage;
  return {
    object: 'list',
    data: inputs.map((_input, index) => {
      const vector = [index, 1 / (index + 1), 0.25];
      const embedding =
        body.encoding_format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
      return { object: 'embedding', index, embedding };
    }),
    model: body.model,
    ...(usage === null ? {} : { usage }),
  };
}

export function errorEnvelope(message: string, type: string, code: string | null) {
  return { error: { message, type, param: null, code } };
}

function defaultError(status: number) {
  if (status === 429)
    return errorEnvelope('Rate limit reached for requests. Please try again in 1s.', 'requests', 'rate_limit_exceeded');
  if (status === 400)
    return errorEnvelope("Invalid value for 'temperature'.", 'invalid_request_error', 'invalid_value');
  if (status === 503)
    return errorEnvelope('The engine is currently overloaded, please try again later', 'server_error', null);
  return errorEnvelope(
    'The server had an error while processing your request. Sorry about that!',
    'server_error',
    null,
  );
}

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
import { validateMessagesRequest, ValidationOptions } from './fake-anthropic.validation';

/**
 * A fake Anthropic Messages API (`POST /v1/messages`) on a real socket, as strict as the real one.
 *
 *   const fake = new FakeAnthropicServer('sk-ant-provider-key');
 *   const baseUrl = await fake.start();        // http://127.0.0.1:<port>, without /v1 (like api.anthropic.com)
 *   fake.defaultReply = { content: [{ type: 'text', text: 'Hi' }] };   // default: echoes the last user text
 *   fake.script({ status: 529 }, { eventDelayMs: 50 }); // the next replies, one per accepted request
 *   fake.requests / fake.calls('/v1/messages')  // every request: method, url, headers, parsed body
 *   fake.rejections                             // requests the validation turned away, with the error sent
 *   fake.clientAborts                           // times at which a client hung up mid-response
 *   await fake.stop();
 *
 * It accepts only `x-api-key: <key>` (or `Authorization: Bearer <key>`) with an `anthropic-version` header
 * and validates the body as the real API does (see fake-anthropic.validation.ts); failures are Anthropic
 * error envelopes `{"type":"error","error":{"type","message"},"request_id"}`. Answers carry text, tool_use
 * and thinking blocks; streams use `event:` lines in Anthropic's order (message_start, content_block_start,
 * ping, deltas, content_block_stop, message_delta, message_stop) with the same usage as the non-stream
 * answer. A reply can force a status, error and headers, delay headers or events, split writes (every N
 * bytes, or at given byte offsets), send an `event: error`, end cleanly or destroy the socket after N
 * events, stall, or replay recorded SSE bytes verbatim.
 */
export interface AnthropicReply extends WireOptions {
  /** Answer with this status and an error envelope (`error`, or a default per status), or `rawBody`. */
  status?: number;
  /** The error of a status reply, or of the `event: error` sent after `errorAfterEvents`. */
  error?: { type: string; message: string };
  /** Sent verbatim instead of an envelope (a proxy's HTML page, say). */
  rawBody?: string;
  headers?: Record<string, string>;
  /** Default: one text block echoing the last user text. */
  content?: FakeBlock[];
  /** Default: the requested model with a date suffix, as the real API names its snapshots. */
  model?: string;
  /** Default: `tool_use` when the content has a tool_use block, else `end_turn`. */
  stopReason?: string;
  stopSequence?: string;
  /** Default: estimated from the request and answer sizes, no cache use. */
  usage?: Partial<FakeUsage>;
  /** Streams: after this many events send `event: error` (default overloaded_error) and end the response. */
  errorAfterEvents?: number;
  /** Streams: end the response cleanly after this many events (no message_stop). */
  endAfterEvents?: number;
  /** Streams: replay these SSE bytes instead of the generated events. */
  rawEvents?: string;
  /** Streams: write the body in pieces cut at these byte offsets. */
  splitAt?: number[];
}

export type FakeBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id?: string; name: string; input: Record<string, unknown> }
  | { type: 'thinking'; thinking: string; signature?: string };

export interface FakeUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

export interface Rejection {
  request: RecordedRequest;
  status: number;
  error: { type: string; message: string };
}

const OVERLOADED = { type: 'overloaded_error', message: 'Overloaded' };
const DEFAULT_ERRORS: Record<number, { type: string; message: string }> = {
  400: { type: 'invalid_request_error', message: 'Invalid request.' },
  401: { type: 'authentication_error', message: 'invalid x-api-key' },
  402: { type: 'billing_error', message: 'Your credit balance is too low to access the Anthropic API.' },
  403: { type: 'permission_error', message: 'Your API key does not have permission to use the specified resource.' },
  404: { type: 'not_found_error', message: 'Not found' },
  413: { type: 'request_too_large', message: 'Request exceeds the maximum allowed number of bytes.' },
  429: { type: 'rate_limit_error', message: 'Number of request tokens has exceeded your per-minute rate limit.' },
  500: { type: 'api_error', message: 'Internal server error' },
  504: { type: 'timeout_error', message: 'Request timed out' },
  529: OVERLOADED,
};

export class FakeAnthropicServer extends FakeHttpServer {
  defaultReply: AnthropicReply = {};
  readonly rejections: Rejection[] = [];
  private readonly queue: AnthropicReply[] = [];
  private readonly validation: ValidationOptions;
  private served = 0;

  constructor(
    /** The only key accepted; change it to make later requests fail authentication. */
    public apiKey: string,
    validation: Partial<ValidationOptions> = {},
  ) {
    super();
    this.validation = { requireUserFirst: true, requireAlternation: true, ...validation };
  }

  /** What `POST /v1/messages/count_tokens` answers as `input_tokens`. */
  countedTokens = 4242;

  /** Replies for the next accepted requests, in order; `defaultReply` afterwards. */
  script(...replies: AnthropicReply[]): void {
    this.queue.push(...replies);
  }

  protected async handle(request: RecordedRequest, res: ServerResponse): Promise<void> {
    const serial = ++this.served;
    const requestId = `req_fake${String(serial).padStart(4, '0')}`;
    const rejection = this.check(request);
    if (rejection) {
      this.rejections.push({ request, ...rejection });
      return sendJson(res, rejection.status, envelope(rejection.error, requestId), { 'request-id': requestId });
    }
    if (request.url.split('?')[0] === COUNT_TOKENS_PATH) {
      return sendJson(res, 200, { input_tokens: this.countedTokens }, { 'request-id': requestId });
    }
    const reply = this.queue.shift() ?? this.defaultReply;
    if (reply.headersDelayMs) await delayHeaders(res, reply.headersDelayMs);
    const headers = { 'request-id': requestId, 'anthropic-organization-id': 'org-fake', ...reply.headers };
    if (reply.status && reply.status >= 400) {
      if (reply.rawBody !== undefined) {
        res.writeHead(reply.status, { 'content-type': 'text/html', ...headers });
        res.end(reply.rawBody);
        return;
      }
      return sendJson(
        res,
        reply.status,
        envelope(reply.error ?? DEFAULT_ERRORS[reply.status] ?? DEFAULT_ERRORS[500], requestId),
        headers,
      );
    }
    const message = messageFor(request.body, reply, serial);
    if (request.body.stream !== true) return sendJson(res, 200, message, headers);
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', ...headers });
    res.socket?.setNoDelay(true);
    await this.stream(res, message, reply);
  }

  private check(request: RecordedRequest): Omit<Rejection, 'request'> | undefined {
    const path = request.url.split('?')[0];
    if (request.method !== 'POST' || (path !== '/v1/messages' && path !== COUNT_TOKENS_PATH)) {
      return { status: 404, error: { type: 'not_found_error', message: `Not found: ${request.method} ${path}` } };
    }
    const key = request.headers['x-api-key'] ?? request.headers.authorization?.replace(/^Bearer /, '');
    if (key !== this.apiKey)
      return { status: 401, error: { type: 'authentication_error', message: 'invalid x-api-key' } };
    if (!request.headers['anthropic-version']) {
      return {
        status: 400,
        error: { type: 'invalid_request_error', message: 'anthropic-version: header is required' },
      };
    }
    // count_tokens takes a Messages body without max_tokens.
    const body =
      path === COUNT_TOKENS_PATH && isRecord(request.body) ? { max_tokens: 1, ...request.body } : request.body;
    const problem = validateMessagesRequest(body, this.validation);
    return problem === undefined
      ? undefined
      : { status: 400, error: { type: 'invalid_request_error', message: problem } };
  }

  private async stream(res: ServerResponse, message: FakeMessage, reply: AnthropicReply): Promise<void> {
    let events = reply.rawEvents ? reply.rawEvents.split(/(?<=\n\n)/) : streamEvents(message).map(sse);
    if (reply.errorAfterEvents !== undefined)
      events = [...events.slice(0, reply.errorAfterEvents), sse({ type: 'error', error: reply.error ?? OVERLOADED })];
    if (reply.endAfterEvents !== undefined) events = events.slice(0, reply.endAfterEvents);
    if (reply.splitAt) {
      await writeAtOffsets(res, Buffer.from(events.join(''), 'utf8'), reply.splitAt);
      res.end();
    } else if (await writeEvents(res, events, reply)) {
      res.end();
    }
  }
}

const COUNT_TOKENS_PATH = '/v1/messages/count_tokens';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

interface FakeMessage {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: Array<Record<string, unknown> & { type: string }>;
  stop_reason: string;
  stop_sequence: string | null;
  usage: FakeUsage & { service_tier: string };
}

function messageFor(body: any, reply: AnthropicReply, serial: number): FakeMessage {
  const blocks: FakeBlock[] = reply.content ?? [{ type: 'text', text: `You said: ${lastUserText(body.messages)}` }];
  // The real API never sends an empty text block.
  const content = blocks
    .filter((block) => block.type !== 'text' || block.text)
    .map((block, i): FakeMessage['content'][number] => {
      if (block.type === 'tool_use')
        return { type: 'tool_use', id: block.id ?? `toolu_fake${serial}_${i}`, name: block.name, input: block.input };
      if (block.type === 'thinking')
        return { type: 'thinking', thinking: block.thinking, signature: block.signature ?? 'c2lnbmF0dXJl' };
      return { ...block };
    });
  const hasToolUse = content.some((block) => block.type === 'tool_use');
  const outputSize = JSON.stringify(content.map((block) => block.text ?? block.thinking ?? block.input)).length;
  return {
    id: `msg_fake${String(serial).padStart(4, '0')}`,
    type: 'message',
    role: 'assistant',
    model: reply.model ?? (/-\d{8}$/.test(body.model) ? body.model : `${body.model}-20250929`),
    content,
    stop_reason: reply.stopReason ?? (hasToolUse ? 'tool_use' : 'end_turn'),
    stop_sequence: reply.stopSequence ?? null,
    usage: {
      input_tokens: Math.ceil(JSON.stringify([body.system, body.messages, body.tools]).length / 4),
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      output_tokens: Math.max(1, Math.ceil(outputSize / 4)),
      ...reply.usage,
      service_tier: 'standard',
    },
  };
}

function lastUserText(messages: Array<{ role: string; content: unknown }>): string {
  const content = [...messages].reverse().find((message) => message.role === 'user')?.content;
  if (typeof content === 'string') return content;
  const blocks = Array.isArray(content) ? (content as Array<{ type: string; text?: string }>) : [];
  return blocks
    .filter((block) => block.type === 'text')
    .map((block) => block.text)
    .join(' ');
}

/** The stream of one message, in the order and shapes the real API sends. */
function streamEvents(message: FakeMessage): object[] {
  const { content, stop_reason, stop_sequence, usage } = message;
  const { output_tokens, ...inputUsage } = usage;
  const events: object[] = [
    {
      type: 'message_start',
      message: {
        ...message,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...inputUsage, output_tokens: 1 },
      },
    },
  ];
  content.forEach((block, index) => {
    events.push({ type: 'content_block_start', index, content_block: emptyBlock(block) });
    if (index === 0) events.push({ type: 'ping' });
    for (const delta of blockDeltas(block)) events.push({ type: 'content_block_delta', index, delta });
    events.push({ type: 'content_block_stop', index });
  });
  if (content.length === 0) events.push({ type: 'ping' });
  events.push({ type: 'message_delta', delta: { stop_reason, stop_sequence }, usage: { output_tokens } });
  events.push({ type: 'message_stop' });
  return events;
}

function emptyBlock(block: FakeMessage['content'][number]): object {
  if (block.type === 'tool_use') return { type: 'tool_use', id: block.id, name: block.name, input: {} };
  if (block.type === 'thinking') return { type: 'thinking', thinking: '', signature: '' };
  return { type: 'text', text: '' };
}

function blockDeltas(block: FakeMessage['content'][number]): object[] {
  if (block.type === 'tool_use') {
    // Like the real API: an empty first fragment, then the JSON in arbitrary pieces.
    const fragments = JSON.stringify(block.input).match(/.{1,7}/gs) ?? [];
    return ['', ...fragments].map((partial_json) => ({ type: 'input_json_delta', partial_json }));
  }
  if (block.type === 'thinking') {
    return [
      ...words(block.thinking as string).map((thinking) => ({ type: 'thinking_delta', thinking })),
      { type: 'signature_delta', signature: block.signature },
    ];
  }
  return words(block.text as string).map((text) => ({ type: 'text_delta', text }));
}

const words = (text: string) => text.match(/\S+\s*|\s+/g) ?? [];

function sse(event: object): string {
  return `event: ${(event as { type: string }).type}\ndata: ${JSON.stringify(event)}\n\n`;
}

function envelope(error: { type: string; message: string }, requestId: string) {
  return { type: 'error', error, request_id: requestId };
}

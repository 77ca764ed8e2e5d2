import { Inject, Injectable } from '@nestjs/common';
import type { Readable } from 'node:stream';
import { GatewayError } from '@app/common';
import type { UpstreamCallContext } from '../provider.types';
import { providersConfig, type ProvidersSettings } from '../providers.config';
import type { SseParserOptions } from '../sse/sse-parser';
import { DecompressionLimitExceeded } from './response-decoding';
import { ExchangeListener, UpstreamExchange } from './upstream-exchange';
import type { UpstreamAgents } from './upstream-agents';

export interface UpstreamRequest {
  providerId: string;
  url: string;
  method?: 'GET' | 'POST';
  headers: Record<string, string>;
  /** Already serialised: the body is sent as-is, never re-encoded. */
  body?: string;
  agents: UpstreamAgents;
  context: UpstreamCallContext;
}

export interface UpstreamResponse {
  status: number;
  /** The response headers, names in lower case. */
  headers: Record<string, string | undefined>;
  /**
   * The response body, chunk by chunk as it arrives (for streams). Iterating it fails with `upstream_timeout`
   * after `idleMs` of silence, with `upstream_connection_error` if the connection drops, and with
   * `upstream_invalid_response` if a compressed body inflates past its cap; stopping early releases the
   * connection. It carries the event limits `sseEvents` reads it with.
   */
  body: UpstreamBody;
  /**
   * Reads the whole body as UTF-8 text (for non-stream answers and error bodies), failing like `body` does,
   * and with `upstream_invalid_response` beyond `limitBytes` (64 MiB by default). Read the body one way, once.
   */
  text(limitBytes?: number): Promise<string>;
  /** The answer cap (`UPSTREAM_MAX_ANSWER_BYTES`), for a non-stream chat, messages or responses answer. */
  readonly answerLimitBytes: number;
}

/** A response body, and the limits its server-sent events are held to (an `SseSource`). */
export interface UpstreamBody extends AsyncIterable<Buffer> {
  readonly sseOptions: SseParserOptions;
}

/** Failures named by their code; others (undici's "other side closed", say) by their message. */
const CONNECTION_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
]);
/** Failures of the connection itself, before a byte of the request could leave (see `notSent`). */
const NOT_SENT_ERRORS = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
]);
const DEFAULT_BODY_LIMIT = 64 * 1024 * 1024;

/**
 * The one way adapters reach an upstream: undici keep-alive connections, one pool per upstream origin (see
 * `UpstreamExchange`), bodies as Node streams (no fetch, no web streams), with time-to-first-byte and idle
 * timeouts and client-abort propagation. Transport failures come out as `GatewayError`s with `upstream_*` codes.
 *
 * No HTTP client library on this path: through axios (`@nestjs/axios`) a call cost 59 µs and 20.9 KB, straight
 * on the transport 42 µs and 13.9 KB (measured); axios serves the gateway's own outbound calls off the request
 * path (alert webhooks).
 */
@Injectable()
export class UpstreamHttpService {
  constructor(@Inject(providersConfig.KEY) private readonly settings: ProvidersSettings) {}

  send(request: UpstreamRequest): Promise<UpstreamResponse> {
    if (request.context.signal.aborted) return Promise.reject(request.context.signal.reason);
    return new Promise((resolve, reject) => new UpstreamCall(request, this.settings, resolve, reject).start());
  }
}

/**
 * One call's timers and abort handling. Until the headers arrive, a ttfb timer and the caller's signal
 * abandon the exchange; from then on the call is the response, and an idle timer (re-armed by every chunk
 * read) and the signal destroy its body. The listener and the timer go when the body closes.
 */
class UpstreamCall implements UpstreamResponse, ExchangeListener {
  private readonly exchange: UpstreamExchange;
  status: number;
  private readonly providerId: string;
  private readonly context: UpstreamCallContext;
  private timer: NodeJS.Timeout;
  private ttfbExpired: boolean;
  private stream: Readable | undefined;
  private chunks: UpstreamBody | undefined;
  private readonly onAbort: () => void;

  constructor(
    request: UpstreamRequest,
    private readonly settings: ProvidersSettings,
    private readonly resolve: (response: UpstreamResponse) => void,
    private readonly reject: (error: unknown) => void,
  ) {
    this.exchange = new UpstreamExchange(
      request.url,
      request.method ?? 'POST',
      request.headers,
      request.body,
      request.agents,
      settings.maxDecompressedBytes,
    );
    this.status = 0;
    this.providerId = request.providerId;
    this.context = request.context;
    this.ttfbExpired = false;
    this.stream = undefined;
    this.chunks = undefined;
    this.timer = setTimeout(ttfbExpired, request.context.ttfbMs, this);
    // A function, not a listener object: Node wraps those in an async function, turning a throw into an
    // unhandled rejection.
    this.onAbort = () => this.aborted();
    request.context.signal.addEventListener('abort', this.onAbort);
  }

  start(): void {
    this.exchange.start(this);
  }

  get headers(): Record<string, string | undefined> {
    return this.exchange.headers as Record<string, string | undefined>;
  }

  get body(): UpstreamBody {
    return (this.chunks ??= Object.assign(bodyChunks(this, this.stream!), {
      sseOptions: { maxEventBytes: this.settings.sseMaxEventBytes, providerId: this.providerId },
    }));
  }

  /** The caller aborted: hang up on the upstream, before or during the body. */
  private aborted(): void {
    const reason = this.context.signal.reason as Error;
    if (this.stream) this.stream.destroy(reason);
    else this.exchange.abandon(new Error('The caller aborted the upstream call.'));
  }

  onTtfbExpired(): void {
    this.ttfbExpired = true;
    this.exchange.abandon(new Error(`No response headers within ${this.context.ttfbMs} ms.`));
  }

  onFailure(error: unknown): void {
    this.reject(this.failed(error));
  }

  /** The error to throw for a call that got no response. */
  private failed(error: unknown): unknown {
    clearTimeout(this.timer);
    this.context.signal.removeEventListener('abort', this.onAbort);
    if (this.context.signal.aborted) return this.context.signal.reason;
    if (this.ttfbExpired) {
      return new GatewayError(
        'upstream_timeout',
        `Upstream "${this.providerId}" sent no response within ${this.context.ttfbMs} ms.`,
      );
    }
    return transportError(this.providerId, error as TransportFailure);
  }

  onResponse(status: number, stream: Readable): void {
    clearTimeout(this.timer);
    this.status = status;
    this.stream = stream;
    this.timer = setTimeout(idleExpired, this.context.idleMs, this);
    // The body's reader (text() or the chunks) hears its errors; a body destroyed before anyone reads it (the
    // caller aborted in between) must not take the process down with an unheard 'error'.
    stream.on('error', ignore);
    stream.on('close', () => {
      clearTimeout(this.timer);
      this.context.signal.removeEventListener('abort', this.onAbort);
    });
    this.resolve(this);
  }

  onIdleExpired(): void {
    this.stream!.destroy(
      new GatewayError(
        'upstream_timeout',
        `Upstream "${this.providerId}" went silent for ${this.context.idleMs} ms mid-response.`,
      ),
    );
  }

  /** Data arrived: the idle timer starts over. */
  touch(): void {
    this.timer.refresh();
  }

  /**
   * The error to throw for a body that failed: the caller's abort reason, a timeout, a compressed body past
   * its cap, or a dropped connection.
   */
  bodyError(error: unknown): unknown {
    if (this.context.signal.aborted) return this.context.signal.reason;
    if (error instanceof GatewayError) return error;
    if (error instanceof DecompressionLimitExceeded) {
      return new GatewayError(
        'upstream_invalid_response',
        `Upstream "${this.providerId}" sent a compressed body that inflates past ${error.limitBytes} bytes.`,
      );
    }
    return new GatewayError(
      'upstream_connection_error',
      `Upstream "${this.providerId}" dropped the connection mid-response.`,
      {
        upstreamMessage: (error as Error).message,
      },
    );
  }

  get answerLimitBytes(): number {
    return this.settings.maxAnswerBytes;
  }

  text(limitBytes = DEFAULT_BODY_LIMIT): Promise<string> {
    const body = this.stream!;
    return new Promise<string>((resolve, reject) => {
      if (body.destroyed) return reject(this.bodyError(body.errored ?? prematureClose()));
      const chunks: Buffer[] = [];
      let size = 0;
      let settled = false;
      body.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > limitBytes) {
          settled = true;
          reject(new GatewayError('upstream_invalid_response', `Upstream response exceeded ${limitBytes} bytes.`));
          body.destroy();
          return;
        }
        chunks.push(chunk);
        this.touch();
      });
      body.on('end', () => {
        settled = true;
        resolve((chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)).toString('utf8'));
      });
      body.on('error', (error) => {
        settled = true;
        reject(this.bodyError(error));
      });
      body.on('close', () => {
        if (!settled) reject(this.bodyError(prematureClose())); // closed without 'end' or 'error'
      });
    });
  }
}

function ttfbExpired(call: UpstreamCall): void {
  call.onTtfbExpired();
}

function idleExpired(call: UpstreamCall): void {
  call.onIdleExpired();
}

function ignore(): void {}

function prematureClose(): Error {
  return Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
}

/** Streams: one chunk per read, as it arrives; stopping early destroys the body (and its connection). */
async function* bodyChunks(call: UpstreamCall, body: Readable): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of body) {
      call.touch();
      yield chunk as Buffer;
    }
  } catch (error) {
    throw call.bodyError(error);
  } finally {
    body.destroy();
  }
}

/** What undici (or Node's net and dns, beneath it) fails a call with. */
interface TransportFailure extends Error {
  code?: string;
  cause?: { code?: string };
}

function transportError(providerId: string, error: TransportFailure): GatewayError {
  const code = error.code ?? error.cause?.code ?? '';
  if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT') {
    return new GatewayError('upstream_timeout', `Could not connect to upstream "${providerId}" in time.`, {
      // The pools' connect timer: nothing was sent. (ETIMEDOUT is the OS giving up on an established
      // connection, through keep-alive probes, whose request may have left.)
      notSent: code === 'UND_ERR_CONNECT_TIMEOUT' || undefined,
      cause: error,
    });
  }
  const detail = CONNECTION_ERRORS.has(code) ? code : error.message;
  return new GatewayError('upstream_connection_error', `Could not reach upstream "${providerId}": ${detail}.`, {
    upstreamMessage: detail,
    notSent: NOT_SENT_ERRORS.has(code) || undefined,
    cause: error,
  });
}

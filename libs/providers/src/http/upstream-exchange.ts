import { Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { decoded } from './response-decoding';
import type { Client } from 'undici';
import type { ConnectionWaiter, OriginPool, UpstreamAgents } from './upstream-agents';

/** Who started an exchange hears how it ended: exactly one of the two, once. */
export interface ExchangeListener {
  /** The response headers arrived; `body` is the (decoded) body stream. */
  onResponse(status: number, body: Readable): void;
  /** No response: the URL was unusable, the connection failed, or the exchange was abandoned. */
  onFailure(error: unknown): void;
}

/**
 * A request body longer than this (in characters) is written in pieces of this size, one per turn of the event
 * loop: one write of a 10 MB body (encoding it as UTF-8 and handing it to the socket) held the loop 15–45 ms.
 */
const BODY_PIECE_CHARS = 1024 * 1024;

/**
 * One upstream HTTP exchange on a connection of the origin's pool, straight on undici (no HTTP client library
 * in between: axios's per-call config merge, headers and promise chain cost ~17 µs and ~7 KB a call, measured):
 * redirects are not followed, no proxy is used, nothing is retried, every status is a response (status handling
 * is the adapters' business). The request goes out in one write (headers and the pre-serialised body), and the
 * response body is handed over as the Node stream undici reads it into (paused when nobody reads, which pauses
 * the connection). The caller keeps the exchange to abandon it (timeouts, client aborts).
 *
 * The exchange is also the abort signal undici's request listens to (undici takes any object with
 * `aborted`, `reason` and `addEventListener`): one object per call instead of an AbortController's three.
 */
export class UpstreamExchange implements ConnectionWaiter {
  /** The response headers (names in lower case), once they arrived. */
  headers: Record<string, string | string[] | undefined> | undefined;
  private target: RequestTarget | undefined;
  private pool: OriginPool | undefined;
  /** Until the exchange is settled (answered or failed); then undefined, so that it settles once. */
  private listener: ExchangeListener | undefined;
  private abandonedWith: Error | undefined;
  private onAbandon: (() => void) | undefined;

  constructor(
    readonly url: string,
    readonly method: 'GET' | 'POST',
    readonly requestHeaders: Record<string, string>,
    readonly body: string | undefined,
    readonly agents: UpstreamAgents,
    /** Most bytes a compressed response body may inflate to. */
    readonly maxDecompressedBytes: number,
  ) {
    this.headers = undefined;
    this.target = undefined;
    this.pool = undefined;
    this.listener = undefined;
    this.abandonedWith = undefined;
    this.onAbandon = undefined;
  }

  get aborted(): boolean {
    return this.abandonedWith !== undefined;
  }

  get reason(): Error | undefined {
    return this.abandonedWith;
  }

  addEventListener(_type: 'abort', listener: () => void): void {
    this.onAbandon = listener;
  }

  removeEventListener(_type: 'abort', _listener: () => void): void {
    this.onAbandon = undefined;
  }

  /**
   * Stops the exchange: a call waiting for a connection leaves the line; undici hangs up on the upstream
   * (destroying the connection) if the request is on the wire, or drops it unsent if the connection is still
   * being set up. The listener hears the failure at once, also in that last case, where undici would report it
   * only once connected.
   */
  abandon(error: Error): void {
    if (this.abandonedWith) return;
    this.abandonedWith = error;
    this.pool?.withdraw(this);
    const onAbandon = this.onAbandon;
    this.onAbandon = undefined;
    onAbandon?.();
    const listener = this.listener;
    this.listener = undefined;
    listener?.onFailure(error);
  }

  /** Waits for a connection and sends the request; `listener` hears of the response (on its headers) or the failure. */
  start(listener: ExchangeListener): void {
    if (this.abandonedWith) return listener.onFailure(this.abandonedWith);
    let target: RequestTarget;
    try {
      target = targetOf(this.url);
    } catch (error) {
      return listener.onFailure(error);
    }
    this.target = target;
    this.listener = listener;
    this.pool = (target.secure ? this.agents.https : this.agents.http).forOrigin(target.origin);
    this.pool.acquire(this);
  }

  /** The pool's answer to `start`: the connection to send on. */
  onConnection(client: Client): void {
    const pool = this.pool!;
    if (this.abandonedWith) return pool.release(client);
    const target = this.target!;
    const body = this.body;
    const inPieces = body !== undefined && body.length > BODY_PIECE_CHARS;
    let headers = this.requestHeaders;
    // Written in one piece, the body gets its content-length from undici; in pieces it would go chunked, which
    // not every upstream (or proxy in front of one) accepts.
    if (inPieces) headers = { ...headers, 'content-length': String(Buffer.byteLength(body)) };
    if (target.authorization && !hasAuthorization(headers))
      headers = { ...headers, authorization: target.authorization };
    client.request(
      {
        path: target.path,
        method: this.method,
        headers,
        body: inPieces ? Readable.from(pieces(body)) : body,
        signal: this,
      },
      (error, response) => {
        const listener = this.listener;
        this.listener = undefined;
        if (error) {
          pool.release(client);
          return listener?.onFailure(error);
        }
        // The connection is free again when the body is done with: read to its end, or destroyed.
        response.body.once('close', () => pool.release(client));
        if (!listener) return void response.body.on('error', ignore).destroy(); // abandoned as the headers arrived
        this.headers = response.headers;
        listener.onResponse(
          response.statusCode,
          decoded(
            response.body,
            response.headers['content-encoding'],
            this.method,
            response.statusCode,
            this.maxDecompressedBytes,
          ),
        );
      },
    );
  }
}

/** `body` encoded a piece per turn of the event loop, never splitting a surrogate pair. */
async function* pieces(body: string): AsyncGenerator<Buffer> {
  let offset = 0;
  while (offset < body.length) {
    let end = Math.min(body.length, offset + BODY_PIECE_CHARS);
    if (end < body.length && isHighSurrogate(body.charCodeAt(end - 1))) end--;
    yield Buffer.from(body.slice(offset, end));
    offset = end;
    if (offset < body.length) await nextTurn();
  }
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function ignore(): void {}

function hasAuthorization(headers: Record<string, string>): boolean {
  for (const name in headers) if (name.length === 13 && name.toLowerCase() === 'authorization') return true;
  return false;
}

interface RequestTarget {
  secure: boolean;
  /** `scheme://host:port`: undici keeps one pool of connections per origin. */
  origin: string;
  path: string;
  /** Basic credentials from the URL's user info, sent unless the call carries its own authorization. */
  authorization: string | undefined;
}

/** Parsed URLs, by URL: an endpoint calls the same few URLs over and over. */
const targets = new Map<string, RequestTarget>();
const MAX_TARGETS = 1_000;

function targetOf(url: string): RequestTarget {
  let target = targets.get(url);
  if (target) return target;
  const parsed = new URL(url);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw Object.assign(new Error(`Unsupported protocol ${parsed.protocol}`), { code: 'ERR_BAD_REQUEST' });
  }
  const credentials =
    parsed.username || parsed.password
      ? `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`
      : '';
  target = {
    secure: parsed.protocol === 'https:',
    origin: parsed.origin,
    path: `${parsed.pathname}${parsed.search}`,
    authorization: credentials ? `Basic ${Buffer.from(credentials).toString('base64')}` : undefined,
  };
  if (targets.size >= MAX_TARGETS) targets.clear();
  targets.set(url, target);
  return target;
}

import http from 'node:http';
import https from 'node:https';
import { pipeline, type Readable, Transform, type TransformCallback } from 'node:stream';
import { urlToHttpOptions } from 'node:url';
import zlib from 'node:zlib';
import { AxiosError, type AxiosRequestConfig, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';

/**
 * The axios config of one upstream call: the exchange is its only field. Everything else axios would merge,
 * normalise and transform per call (url, method, headers, data) travels inside the exchange untouched.
 */
export type UpstreamAxiosConfig = AxiosRequestConfig & { exchange: UpstreamExchange };

type Settle = (error: unknown) => void;

/**
 * A request body longer than this (in characters) is written in pieces of this size, one per turn of the event
 * loop: one write of a 10 MB body (encoding it as UTF-8 and handing it to the socket) held the loop 15–45 ms.
 */
const BODY_PIECE_CHARS = 1024 * 1024;

/**
 * One upstream HTTP exchange, carried out by `nodeHttpAdapter` on Node's own `http.request`: the request
 * goes out in one write (headers and the pre-serialised body), and the response body is handed over as the
 * Node stream it is. The caller keeps the exchange to abandon it (timeouts, client aborts).
 */
export class UpstreamExchange {
  /** The request on the wire, once the adapter started it. */
  request: http.ClientRequest | undefined;
  /** The response, once its headers arrived. */
  response: http.IncomingMessage | undefined;
  private rejectPending: Settle | undefined;
  private abandonedWith: Error | undefined;

  constructor(
    readonly url: string,
    readonly method: string,
    readonly headers: Record<string, string>,
    readonly body: string | undefined,
    readonly agents: { http: http.Agent; https: https.Agent },
    /** Most bytes a compressed response body may inflate to. */
    readonly maxDecompressedBytes: number,
  ) {
    this.request = undefined;
    this.response = undefined;
    this.rejectPending = undefined;
    this.abandonedWith = undefined;
  }

  /**
   * Stops the exchange: destroys the request (and with it the socket, which the upstream sees as a hang-up)
   * and rejects the adapter's promise at once if it still waits for headers — also when the request still
   * waits in the agent's queue for a free socket, where destroying it alone would settle nothing.
   */
  abandon(error: Error): void {
    this.abandonedWith ??= error;
    this.request?.destroy(error);
    const reject = this.rejectPending;
    this.rejectPending = undefined;
    reject?.(error);
  }

  /** Called by the adapter: sends the request and resolves with the response on its headers. */
  start(
    config: InternalAxiosRequestConfig,
    resolve: (response: AxiosResponse<Readable>) => void,
    reject: Settle,
  ): void {
    if (this.abandonedWith) return reject(this.abandonedWith);
    let target: RequestTarget;
    try {
      target = targetOf(this.url);
    } catch (error) {
      return reject(AxiosError.from(error, AxiosError.ERR_INVALID_URL, config));
    }
    const inPieces = this.body !== undefined && this.body.length > BODY_PIECE_CHARS;
    const request = (target.secure ? https : http).request({
      protocol: target.protocol,
      hostname: target.hostname,
      port: target.port,
      path: target.path,
      auth: target.auth,
      method: this.method,
      // Written in one piece, the body gets its content-length from Node; in pieces it would go chunked, which
      // not every upstream (or proxy in front of one) accepts.
      headers: inPieces ? { ...this.headers, 'content-length': String(Buffer.byteLength(this.body)) } : this.headers,
      agent: target.secure ? this.agents.https : this.agents.http,
    });
    this.request = request;
    this.rejectPending = reject;
    // Stays attached for the request's whole life: Node also reports socket errors after the response
    // headers here, and an 'error' event without a listener would crash the process.
    request.on('error', (error) => {
      const reject = this.rejectPending;
      this.rejectPending = undefined;
      reject?.(AxiosError.from(error, undefined, config, request));
    });
    request.on('response', (response) => {
      this.rejectPending = undefined;
      this.response = response;
      resolve({
        data: decoded(response, this.method, this.maxDecompressedBytes),
        status: response.statusCode ?? 0,
        statusText: response.statusMessage ?? '',
        // The headers stay on the IncomingMessage (`exchange.response`), read only when wanted: handed to
        // axios they would be normalised into AxiosHeaders twice per call (~2 µs per header, measured).
        headers: {},
        config,
        request,
      });
    });
    if (inPieces) writeInPieces(request, this.body);
    else request.end(this.body);
  }
}

/** Writes `body` a piece per turn (never splitting a surrogate pair), stopping if the request is destroyed. */
function writeInPieces(request: http.ClientRequest, body: string): void {
  let offset = 0;
  const next = () => {
    if (request.destroyed) return;
    let end = Math.min(body.length, offset + BODY_PIECE_CHARS);
    if (end < body.length && isHighSurrogate(body.charCodeAt(end - 1))) end--;
    const piece = body.slice(offset, end);
    offset = end;
    if (offset === body.length) request.end(piece);
    else {
      request.write(piece);
      setImmediate(next);
    }
  };
  next();
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/**
 * The axios adapter for upstream calls. Redirects are not followed, no proxy is used, nothing is retried,
 * every status resolves (status handling is the adapters' business), and the body is a Node stream.
 */
export function nodeHttpAdapter(config: InternalAxiosRequestConfig): Promise<AxiosResponse<Readable>> {
  const { exchange } = config as InternalAxiosRequestConfig & { exchange: UpstreamExchange };
  return new Promise((resolve, reject) => exchange.start(config, resolve, reject));
}

interface RequestTarget {
  secure: boolean;
  protocol: string;
  hostname: string | undefined;
  port: number | string | undefined;
  path: string | undefined;
  auth: string | undefined;
}

/** Parsed URLs, by URL: an endpoint calls the same few URLs over and over. */
const targets = new Map<string, RequestTarget>();
const MAX_TARGETS = 1_000;

function targetOf(url: string): RequestTarget {
  let target = targets.get(url);
  if (target) return target;
  const options = urlToHttpOptions(new URL(url));
  if (options.protocol !== 'http:' && options.protocol !== 'https:') {
    throw Object.assign(new Error(`Unsupported protocol ${options.protocol}`), { code: 'ERR_BAD_REQUEST' });
  }
  target = {
    secure: options.protocol === 'https:',
    protocol: options.protocol,
    hostname: options.hostname ?? undefined,
    port: options.port ?? undefined,
    path: options.path ?? undefined,
    auth: options.auth ?? undefined,
  };
  if (targets.size >= MAX_TARGETS) targets.clear();
  targets.set(url, target);
  return target;
}

/**
 * The body as the upstream meant it. The gateway asks for no compression, so this is the response itself,
 * unless an upstream compresses anyway (or a provider's configured headers asked for it): then the body is
 * decoded, up to `maxBytes` of output (a few KiB of gzip can inflate to gigabytes), and destroying the
 * decoded stream destroys the response (and its socket) too, as does passing the cap.
 */
function decoded(response: http.IncomingMessage, method: string, maxBytes: number): Readable {
  const encoding = contentEncoding(response.rawHeaders);
  if (encoding === undefined || method === 'HEAD' || response.statusCode === 204) return response;
  const decoder = decoderFor(encoding.trim().toLowerCase());
  if (!decoder) return response;
  return pipeline(response, decoder, new DecompressionLimit(maxBytes), () => undefined);
}

/** A compressed body inflated past its cap; the body fails with it. */
export class DecompressionLimitExceeded extends Error {
  constructor(readonly limitBytes: number) {
    super(`The decompressed body exceeded ${limitBytes} bytes.`);
  }
}

/** Passes decoded bytes on until there have been more than `limitBytes` of them, then fails. */
class DecompressionLimit extends Transform {
  private total = 0;

  constructor(private readonly limitBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.total += chunk.length;
    if (this.total > this.limitBytes) done(new DecompressionLimitExceeded(this.limitBytes));
    else done(null, chunk);
  }
}

/** From the raw header list: `response.headers` would build the whole header object on every call. */
function contentEncoding(rawHeaders: string[]): string | undefined {
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i];
    if (name.length === 16 && name.toLowerCase() === 'content-encoding') return rawHeaders[i + 1];
  }
  return undefined;
}

/**
 * Output in 64 KiB chunks rather than zlib's 16 KiB: each chunk is one trip through the stream machinery and
 * the SSE parser, and a gzip bomb's 64 MiB took 4,096 of them (measured: ~25 % less CPU at 64 KiB, while one
 * chunk's parse stays well under a millisecond).
 */
const CHUNK_BYTES = 64 * 1024;
const ZLIB_OPTIONS = {
  flush: zlib.constants.Z_SYNC_FLUSH,
  finishFlush: zlib.constants.Z_SYNC_FLUSH,
  chunkSize: CHUNK_BYTES,
};

function decoderFor(encoding: string): zlib.Gunzip | zlib.Unzip | zlib.BrotliDecompress | undefined {
  switch (encoding) {
    case 'gzip':
    case 'x-gzip':
    case 'deflate':
    case 'compress':
    case 'x-compress':
      return zlib.createUnzip(ZLIB_OPTIONS);
    case 'br':
      return zlib.createBrotliDecompress({
        chunkSize: CHUNK_BYTES,
        flush: zlib.constants.BROTLI_OPERATION_FLUSH,
        finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH,
      });
    default:
      return undefined;
  }
}

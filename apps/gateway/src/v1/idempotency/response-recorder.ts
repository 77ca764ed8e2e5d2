import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

/** The response headers a replay carries: what a client parses the answer with, and the route headers. */
const REPLAYED_HEADER = /^(content-type|x-switchyard-.*)$/;

/** An answer as the client received it, for replay. */
export interface RecordedResponse {
  status: number;
  headers: Record<string, string>;
  /** The body bytes as written (a stream's SSE frames, in order); null when larger than the bound. */
  body: Buffer | null;
}

/**
 * Taps one raw response, whichever way it is written: a JSON reply through Fastify, a stream through its
 * `SseWriter`, an error through the exception filter all end in `writeHead`, `write` and `end` on the Node
 * response, so recording there needs nothing from the inbound APIs. Bytes are kept up to `maxBytes`; past
 * that the copy is dropped at once (the client's answer is unaffected) and only the fact is remembered.
 */
export class ResponseRecorder {
  private chunks: Buffer[] = [];
  private size = 0;
  private overflowed = false;
  private readonly headHeaders: OutgoingHttpHeaders = {};

  constructor(
    private readonly response: ServerResponse,
    private readonly maxBytes: number,
  ) {
    const writeHead = response.writeHead.bind(response) as (...args: unknown[]) => ServerResponse;
    const write = response.write.bind(response) as (...args: unknown[]) => boolean;
    const end = response.end.bind(response) as (...args: unknown[]) => unknown;
    response.writeHead = (...args: unknown[]) => {
      this.noteHead(args);
      return writeHead(...args);
    };
    response.write = ((...args: unknown[]) => {
      this.noteChunk(args[0], args[1]);
      return write(...args);
    }) as ServerResponse['write'];
    response.end = ((...args: unknown[]) => {
      this.noteChunk(args[0], args[1]);
      return end(...args);
    }) as ServerResponse['end'];
  }

  /** The answer as sent; call once the response has finished. */
  recorded(): RecordedResponse {
    const headers: Record<string, string> = {};
    const sent = { ...this.response.getHeaders(), ...this.headHeaders };
    for (const [name, value] of Object.entries(sent)) {
      const lower = name.toLowerCase();
      if (value !== undefined && REPLAYED_HEADER.test(lower)) headers[lower] = String(value);
    }
    return {
      status: this.response.statusCode,
      headers,
      body: this.overflowed ? null : Buffer.concat(this.chunks, this.size),
    };
  }

  /** `writeHead(status, [message], [headers])`: headers given here may never reach `getHeaders()`. */
  private noteHead(args: unknown[]): void {
    const headers = args.find((arg, index) => index > 0 && typeof arg === 'object' && arg !== null);
    if (headers && !Array.isArray(headers)) Object.assign(this.headHeaders, headers);
  }

  private noteChunk(chunk: unknown, encoding: unknown): void {
    if (this.overflowed || chunk === undefined || chunk === null || typeof chunk === 'function') return;
    const bytes =
      typeof chunk === 'string'
        ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8')
        : Buffer.from(chunk as Uint8Array);
    this.size += bytes.length;
    if (this.size > this.maxBytes) {
      this.overflowed = true;
      this.chunks = [];
      return;
    }
    this.chunks.push(bytes);
  }
}

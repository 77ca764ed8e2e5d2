import { GatewayError } from '@app/common';
import { LineBuffer } from './line-buffer';

export interface SseEvent {
  event: string | undefined;
  data: string;
}

export interface SseLimits {
  /**
   * Largest line and largest event (its `data:` values together), in bytes. Beyond it the stream is broken
   * or hostile: the parser throws instead of buffering on.
   */
  maxEventBytes: number;
}

export interface SseParserOptions extends SseLimits {
  /** Named in the error a stream over the limit fails with. */
  providerId?: string;
}

/** Far above any legitimate event (a chunk with large tool-call arguments is tens of KiB). */
export const DEFAULT_SSE_LIMITS: SseLimits = { maxEventBytes: 8 * 1024 * 1024 };

const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;
const SPACE = 0x20;
const DATA = Buffer.from('data');
const EVENT = Buffer.from('event');
/** The longest field name the gateway acts on ("event"), and its colon. */
const FIELD_SCAN = EVENT.length + 1;

/**
 * Incremental Server-Sent Events parser, after the WHATWG rules: `\n`, `\r\n` and `\r` line endings, one
 * leading UTF-8 BOM skipped, multi-line `data:` joined with `\n`, `:` comments, `event:`; `id:`, `retry:`
 * and unknown fields are ignored (the gateway never reconnects, so neither matters). An event is emitted
 * only at its blank line, as browsers and the OpenAI SDK do; a last event without one is dropped.
 *
 * It works on bytes: each byte is scanned once, lines complete within a chunk are decoded straight from it,
 * and only a line that spans chunks is copied (into a buffer that grows by doubling), so a long line costs
 * linear time however it is split. No line and no event may exceed `maxEventBytes`; a line is refused as
 * soon as it grows past it, before its end arrives.
 */
export class SseParser {
  private readonly limits: SseParserOptions;
  private readonly partialLine: LineBuffer;
  private eventName: string | undefined = undefined;
  private dataLines: string[] = [];
  private dataBytes = 0;
  /** The last chunk ended in `\r`: a `\n` opening the next one belongs to it. */
  private afterCarriageReturn = false;
  private firstLine = true;

  constructor(options: SseParserOptions = DEFAULT_SSE_LIMITS) {
    this.limits = options;
    this.partialLine = new LineBuffer(options.maxEventBytes);
  }

  /** Feeds bytes; returns the events completed by them. */
  push(input: Buffer | string): SseEvent[] {
    const chunk = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
    const events: SseEvent[] = [];
    let start = 0;
    if (this.afterCarriageReturn && chunk.length > 0) {
      this.afterCarriageReturn = false;
      if (chunk[0] === LF) start = 1;
    }
    // The next terminator of each kind, searched again only once passed: one scan of the chunk in all.
    let nextLf = chunk.indexOf(LF, start);
    let nextCr = chunk.indexOf(CR, start);
    while (nextLf !== -1 || nextCr !== -1) {
      const end = nextCr === -1 || (nextLf !== -1 && nextLf < nextCr) ? nextLf : nextCr;
      this.completeLine(chunk, start, end, events);
      start = end + 1;
      if (chunk[end] === CR) {
        if (start === chunk.length) this.afterCarriageReturn = true;
        else if (chunk[start] === LF) start++;
      }
      if (nextLf !== -1 && nextLf < start) nextLf = chunk.indexOf(LF, start);
      if (nextCr !== -1 && nextCr < start) nextCr = chunk.indexOf(CR, start);
    }
    if (start < chunk.length) {
      this.assertWithinLimit(this.partialLine.length + chunk.length - start, 'line');
      this.partialLine.append(chunk, start, chunk.length);
    }
    return events;
  }

  private completeLine(chunk: Buffer, start: number, end: number, events: SseEvent[]): void {
    let bytes = chunk;
    let from = start;
    let to = end;
    if (this.partialLine.length > 0) {
      this.assertWithinLimit(this.partialLine.length + end - start, 'line');
      this.partialLine.append(chunk, start, end);
      bytes = this.partialLine.bytes;
      from = 0;
      to = this.partialLine.length;
    } else {
      this.assertWithinLimit(end - start, 'line');
    }
    if (this.firstLine) {
      this.firstLine = false;
      if (bytes[from] === 0xef && bytes[from + 1] === 0xbb && bytes[from + 2] === 0xbf && to - from >= 3) from += 3;
    }
    this.line(bytes, from, to, events);
    this.partialLine.clear();
  }

  private line(bytes: Buffer, from: number, to: number, events: SseEvent[]): void {
    if (from === to) return this.dispatch(events);
    if (bytes[from] === COLON) return; // a comment, e.g. ": keep-alive"
    // Only the field names the gateway acts on matter, so the colon is looked for among their few bytes:
    // a long line is never scanned twice.
    let colon = -1;
    for (let i = from; i < to && i < from + FIELD_SCAN; i++) {
      if (bytes[i] === COLON) {
        colon = i;
        break;
      }
    }
    const nameEnd = colon === -1 ? to : colon;
    let valueStart = colon === -1 ? to : colon + 1;
    if (valueStart < to && bytes[valueStart] === SPACE) valueStart++;
    if (isField(bytes, from, nameEnd, DATA)) {
      this.dataBytes += to - valueStart + (this.dataLines.length > 0 ? 1 : 0);
      this.assertWithinLimit(this.dataBytes, 'event');
      this.dataLines.push(bytes.toString('utf8', valueStart, to));
    } else if (isField(bytes, from, nameEnd, EVENT)) {
      this.eventName = valueStart === to ? undefined : bytes.toString('utf8', valueStart, to);
    }
  }

  private dispatch(events: SseEvent[]): void {
    if (this.dataLines.length > 0) {
      const data = this.dataLines.length === 1 ? this.dataLines[0] : this.dataLines.join('\n');
      events.push({ event: this.eventName, data });
    }
    this.dataLines = [];
    this.dataBytes = 0;
    this.eventName = undefined;
  }

  private assertWithinLimit(bytes: number, what: 'line' | 'event'): void {
    if (bytes <= this.limits.maxEventBytes) return;
    const who = this.limits.providerId === undefined ? 'The upstream' : `Upstream "${this.limits.providerId}"`;
    throw new GatewayError(
      'upstream_invalid_response',
      `${who} sent a server-sent event ${what} over ${this.limits.maxEventBytes} bytes.`,
    );
  }
}

function isField(bytes: Buffer, from: number, to: number, name: Buffer): boolean {
  if (to - from !== name.length) return false;
  for (let i = 0; i < name.length; i++) if (bytes[from + i] !== name[i]) return false;
  return true;
}

/**
 * A byte stream to read events from. An upstream response body also carries the limits its events are
 * held to (the providers settings) and whose it is.
 */
export interface SseSource extends AsyncIterable<Buffer | string> {
  readonly sseOptions?: SseParserOptions;
}

/** Yields the SSE events of a byte stream; fails with `upstream_invalid_response` past the source's limits. */
export async function* sseEvents(body: SseSource): AsyncGenerator<SseEvent> {
  const parser = new SseParser(body.sseOptions);
  for await (const bytes of body) yield* parser.push(bytes);
}

import { StringDecoder } from 'node:string_decoder';

export interface SseEvent {
  event: string | undefined;
  data: string;
}

/**
 * Incremental Server-Sent Events parser (WHATWG rules): accepts `\n`, `\r\n` and `\r` line endings,
 * events and UTF-8 characters split across network chunks, multi-line `data:`, and `:` comments.
 * An event is emitted only at its blank line, as browsers and the OpenAI SDK do.
 */
export class SseParser {
  private readonly decoder = new StringDecoder('utf8');
  private buffer = '';
  private eventName: string | undefined;
  private dataLines: string[] = [];
  private pendingCarriageReturn = false;

  /** Feeds bytes; returns the events completed by them. */
  push(bytes: Buffer | string): SseEvent[] {
    let text = typeof bytes === 'string' ? bytes : this.decoder.write(bytes);
    // A chunk ending in "\r" may be the first half of "\r\n": drop the "\n" when it arrives next.
    if (this.pendingCarriageReturn && text.startsWith('\n')) text = text.slice(1);
    this.pendingCarriageReturn = text.endsWith('\r');
    this.buffer += text;
    const events: SseEvent[] = [];
    let start = 0;
    for (let i = 0; i < this.buffer.length; i++) {
      const char = this.buffer.charCodeAt(i);
      if (char !== 10 && char !== 13) continue;
      this.line(this.buffer.slice(start, i), events);
      if (char === 13 && this.buffer.charCodeAt(i + 1) === 10) i++;
      start = i + 1;
    }
    this.buffer = this.buffer.slice(start);
    return events;
  }

  private line(line: string, events: SseEvent[]): void {
    if (line === '') {
      if (this.dataLines.length > 0) events.push({ event: this.eventName, data: this.dataLines.join('\n') });
      this.dataLines = [];
      this.eventName = undefined;
      return;
    }
    if (line.charCodeAt(0) === 58) return; // ":" comment, e.g. ": keep-alive"
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === 'data') this.dataLines.push(value);
    else if (field === 'event') this.eventName = value;
  }
}

/** Yields the SSE events of a byte stream. */
export async function* sseEvents(body: AsyncIterable<Buffer | string>): AsyncGenerator<SseEvent> {
  const parser = new SseParser();
  for await (const bytes of body) yield* parser.push(bytes);
}

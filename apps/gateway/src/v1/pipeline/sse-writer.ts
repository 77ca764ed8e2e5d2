import type { ServerResponse } from 'node:http';
import { preciseNow, RequestContext } from '@app/common';
import type { SseFrame } from '@app/inbound';
import { clientTakes } from './client-stall';
import type { GatewayCall } from './gateway-call';

/**
 * Writes a server-sent event stream to the raw response: each event is written the moment it is given (no
 * batching; proxies are told not to buffer), and `end` closes the stream with the API's terminal events. The
 * first event written stamps the request's first-byte time. Slow readers apply back-pressure: once Node's
 * socket buffer is past its high-water mark, the next event waits until the client has taken it, so one
 * connection holds at most that buffer and one event; a client that takes nothing for the stall limit is cut.
 */
export class SseWriter {
  private readonly context: RequestContext;
  private readonly stallMs: number;

  constructor(
    private readonly response: ServerResponse,
    call: Pick<GatewayCall, 'context' | 'clientStallMs'>,
  ) {
    this.context = call.context;
    this.stallMs = call.clientStallMs;
  }

  get clientGone(): boolean {
    return this.response.destroyed || this.response.writableEnded;
  }

  /**
   * Sets the stream's head: the route `headers` (taken over: the stream's own are added to them, not to a
   * spread copy, which costs V8 a slow path on Node 20) and the event-stream headers. They leave with the
   * first event, which every API writes at once (the stream opens on the upstream's first chunk): one
   * write, and one wake-up of the client, instead of the head alone and the event a moment later.
   */
  open(headers: Record<string, string>): void {
    headers['content-type'] = 'text/event-stream; charset=utf-8';
    headers['cache-control'] = 'no-cache';
    headers.connection = 'keep-alive';
    headers['x-accel-buffering'] = 'no';
    this.response.writeHead(200, headers);
  }

  /** Sends events; resolves when the client can take more. */
  async write(frames: readonly SseFrame[]): Promise<void> {
    if (frames.length === 0 || this.clientGone) return;
    this.context.firstByteAt ??= preciseNow();
    if (!this.response.write(encode(frames))) await clientTakes(this.response, 'drain', this.context, this.stallMs);
  }

  /** Sends the last events and closes the stream. */
  end(frames: readonly SseFrame[]): void {
    if (this.clientGone) return;
    if (frames.length > 0) this.context.firstByteAt ??= preciseNow();
    this.response.end(encode(frames));
  }
}

function encode(frames: readonly SseFrame[]): string {
  let text = '';
  for (const frame of frames)
    text += frame.event === undefined ? `data: ${frame.data}\n\n` : `event: ${frame.event}\ndata: ${frame.data}\n\n`;
  return text;
}

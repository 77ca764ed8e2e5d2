import type { ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { OpenAiErrorBody } from '@app/common';

/**
 * Writes an OpenAI-style SSE stream to the raw response: each event is written the moment it is given
 * (no batching; proxies are told not to buffer), slow readers apply back-pressure, and the stream ends
 * with `[DONE]` or with an error event — never both.
 */
export class SseWriter {
  constructor(private readonly response: ServerResponse) {}

  get clientGone(): boolean {
    return this.response.destroyed || this.response.writableEnded;
  }

  open(headers: Record<string, string>): void {
    this.response.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    this.response.flushHeaders();
  }

  /** Sends one `data:` event; resolves when the client can take more. */
  async data(json: string): Promise<void> {
    if (this.clientGone) return;
    if (!this.response.write(`data: ${json}\n\n`)) {
      await Promise.race([once(this.response, 'drain'), once(this.response, 'close')]);
    }
  }

  done(): void {
    if (!this.clientGone) this.response.end('data: [DONE]\n\n');
  }

  /** Ends a started stream with an OpenAI-shaped error event, which the SDKs raise as an APIError. */
  fail(body: OpenAiErrorBody): void {
    if (!this.clientGone) this.response.end(`data: ${JSON.stringify(body)}\n\n`);
  }
}

import type { ChatCompletionChunk, GatewayError } from '@app/common';
import type { SseFrame } from '@app/inbound';
import type { StreamEvent } from '@app/providers';
import type { SseWriter } from '../pipeline/sse-writer';
import type { StreamSink } from './model-call.service';

/** An inbound API's stream encoder: canonical chunks in, the API's own events out. */
export interface StreamEncoder {
  push(chunk: ChatCompletionChunk): SseFrame[];
  /** The terminal events of a normal end. */
  finish(): SseFrame[];
  /** The terminal events of a stream that failed after it started. */
  fail(error: GatewayError): SseFrame[];
}

/** A stream sink that writes what an encoder makes of each event. */
export class EncoderSink implements StreamSink {
  constructor(
    private readonly writer: SseWriter,
    private readonly encoder: StreamEncoder,
  ) {}

  get clientGone(): boolean {
    return this.writer.clientGone;
  }

  event(event: StreamEvent): Promise<void> {
    return this.writer.write(this.encoder.push(event.chunk));
  }

  finish(): void {
    this.writer.end(this.encoder.finish());
  }

  fail(error: GatewayError): void {
    this.writer.end(this.encoder.fail(error));
  }
}

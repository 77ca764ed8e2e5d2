import type { Usage } from '@app/common';
import { upstreamInvalidResponse as invalidResponse, upstreamStreamError } from '../http/upstream-errors';
import type { NativeMessagesEvent } from '../provider.types';
import type { SseEvent } from '../sse/sse-parser';
import type { AnthropicErrorDetail, AnthropicUsage } from './anthropic.types';
import { anthropicStreamError } from './anthropic-error.mapper';
import { accumulateUsage, toOpenAiUsage } from './anthropic-usage.mapper';

interface ParsedEvent {
  type?: unknown;
  message?: { usage?: AnthropicUsage };
  delta?: { stop_reason?: string | null };
  usage?: AnthropicUsage;
  error?: Partial<AnthropicErrorDetail>;
}

/**
 * Passes an Anthropic Messages stream through as it came, one SSE event at a time, while watching it for
 * what the gateway needs: the cumulative usage (message_start, then message_delta's running totals), whether
 * the client would notice the event (for holding the stream until its first content), and failures.
 *
 * Only message_start, message_delta and error are parsed; content events are forwarded by their `event:`
 * name, so the hot part of a stream costs no JSON parsing. An `event: error` ends the stream with a GatewayError
 * (not forwarded: the gateway writes the client's error frame itself, as for every failure mid-stream);
 * events before message_start, a second message_start and a body that ends before message_stop are
 * failures too, so that one before any content is retried elsewhere.
 */
export class AnthropicNativeStreamTransformer {
  private usage: AnthropicUsage = {};
  private started = false;
  private stopped = false;

  constructor(private readonly providerId: string) {}

  /** The event to forward. Throws for `event: error` and malformed streams. */
  push(received: SseEvent): NativeMessagesEvent {
    const sse = { ...received, data: this.oneLine(received.data) };
    // Anthropic names every event; an unnamed one is named by its JSON `type`.
    const event = sse.event ?? this.parse(sse.data).type;
    if (event === 'error') throw anthropicStreamError(this.providerId, parseJson(sse.data)?.error);
    if (event === 'ping') return { event, data: sse.data, content: false };
    if (event === 'message_start') {
      if (this.started) throw invalidResponse(this.providerId, 'a second "message_start"');
      this.started = true;
      return { event, data: sse.data, usage: this.addUsage(this.parse(sse.data).message?.usage), content: false };
    }
    if (!this.started) throw invalidResponse(this.providerId, `"${event}" before "message_start"`);
    switch (event) {
      case 'content_block_start':
      case 'content_block_delta':
        return { event, data: sse.data, content: true };
      case 'message_delta': {
        const delta = this.parse(sse.data);
        return { event, data: sse.data, usage: this.addUsage(delta.usage), content: delta.delta?.stop_reason != null };
      }
      case 'message_stop':
        this.stopped = true;
        return { event, data: sse.data, content: false };
      default:
        // content_block_stop, and event types Anthropic adds later: clients must ignore what they do not know.
        return { event, data: sse.data, content: false };
    }
  }

  /** Call when the upstream body ends: a stream without `message_stop` was cut short. */
  end(): void {
    if (!this.stopped) throw upstreamStreamError(this.providerId, 'the stream ended before "message_stop".');
  }

  /**
   * The event's data as one line: the client's parser reads one `data:` line per event, so a multi-line event
   * (legal SSE, joined by the parser) is written back as compact JSON rather than forwarded broken.
   */
  private oneLine(data: string): string {
    if (!data.includes('\n')) return data;
    return JSON.stringify(this.parse(data));
  }

  /** The stream's usage so far, when this event carried some. */
  private addUsage(update: AnthropicUsage | undefined): Usage | undefined {
    if (!update) return undefined;
    this.usage = accumulateUsage(this.usage, update);
    return toOpenAiUsage(this.usage);
  }

  private parse(data: string): ParsedEvent & { type: string } {
    const event = parseJson(data);
    // Reported without echoing the body.
    if (typeof event?.type !== 'string')
      throw invalidResponse(this.providerId, 'a stream event that is not an Anthropic event');
    return event as ParsedEvent & { type: string };
  }
}

function parseJson(data: string): ParsedEvent | undefined {
  try {
    return JSON.parse(data) as ParsedEvent; // the caller checks what it reads
  } catch {
    return undefined;
  }
}

import type { ChatCompletionChunk, FinishReason } from '@app/common';
import { upstreamStreamError } from '../http/upstream-errors';
import type { SseEvent } from '../sse/sse-parser';
import type {
  AnthropicDelta,
  AnthropicMessageResponse,
  AnthropicResponseBlock,
  AnthropicStreamEvent,
  AnthropicUsage,
} from './anthropic.types';
import { upstreamInvalidResponse as invalidResponse } from '../http/upstream-errors';
import { anthropicStreamError } from './anthropic-error.mapper';
import { finishReasonFor } from './anthropic-stop-reason.mapper';
import { accumulateUsage, toOpenAiUsage } from './anthropic-usage.mapper';

type ChunkDelta = ChatCompletionChunk['choices'][number]['delta'];

/**
 * Turns one Anthropic Messages stream into OpenAI `chat.completion.chunk`s, one SSE event at a time.
 *
 * - `message_start` → the role chunk; its id and model name every chunk of the stream.
 * - text / thinking deltas → `content` / `reasoning_content` deltas.
 * - `tool_use` blocks → `tool_calls` deltas: id, type and name on the first, then the `partial_json`
 *   fragments as `arguments`. Anthropic numbers all content blocks while OpenAI numbers tool calls only, so
 *   tool-call indices are counted here (a text block before two calls still gives indices 0 and 1).
 * - `message_stop` → the finish chunk and then a usage chunk (`choices: []`). Both wait for it because
 *   `message_delta` may come more than once and its usage counters are cumulative.
 * - `ping`, block stops, signatures, citations and event types added later → nothing.
 */
export class AnthropicStreamTransformer {
  private message: { id: string; model: string } | undefined;
  private usage: AnthropicUsage = {};
  private stopReason: string | null = null;
  /** Anthropic content-block index → OpenAI tool-call index. */
  private readonly toolCallIndices = new Map<number, number>();
  private stopped = false;

  constructor(
    private readonly providerId: string,
    private readonly created: number,
  ) {}

  /** The chunks one SSE event becomes (often none). Throws for `event: error` and malformed streams. */
  push(sse: SseEvent): ChatCompletionChunk[] {
    if (this.stopped) return [];
    const event = this.parse(sse.data);
    if (event.type === 'error') throw anthropicStreamError(this.providerId, event.error);
    if (event.type === 'ping') return [];
    if (event.type === 'message_start' && this.message)
      throw invalidResponse(this.providerId, 'a second "message_start"');
    if (event.type !== 'message_start' && !this.message)
      throw invalidResponse(this.providerId, `"${event.type}" before "message_start"`);
    switch (event.type) {
      case 'message_start':
        return this.start(event.message);
      case 'content_block_start':
        return this.blockStart(event.index, event.content_block);
      case 'content_block_delta':
        return this.blockDelta(event.index, event.delta);
      case 'message_delta':
        this.stopReason = event.delta?.stop_reason ?? this.stopReason;
        this.usage = accumulateUsage(this.usage, event.usage);
        return [];
      case 'message_stop':
        this.stopped = true;
        return [this.chunk({}, finishReasonFor(this.stopReason)), this.usageChunk()];
      default:
        return [];
    }
  }

  /** Call when the upstream body ends: a stream without `message_stop` was cut short. */
  end(): void {
    if (!this.stopped) throw upstreamStreamError(this.providerId, 'the stream ended before "message_stop".');
  }

  private parse(data: string): AnthropicStreamEvent {
    let event: AnthropicStreamEvent | undefined;
    try {
      event = JSON.parse(data) as AnthropicStreamEvent; // checked below
    } catch {
      // Reported below, without echoing the body.
    }
    if (typeof event?.type !== 'string')
      throw invalidResponse(this.providerId, 'a stream event that is not an Anthropic event');
    return event;
  }

  private start(message: AnthropicMessageResponse): ChatCompletionChunk[] {
    this.message = { id: message.id, model: message.model };
    this.usage = accumulateUsage({}, message.usage);
    return [this.chunk({ role: 'assistant', content: '' })];
  }

  private blockStart(index: number, block: AnthropicResponseBlock): ChatCompletionChunk[] {
    if (block.type !== 'tool_use') return [];
    const toolCall = this.toolCallIndices.size;
    this.toolCallIndices.set(index, toolCall);
    return [
      this.chunk({
        tool_calls: [
          { index: toolCall, id: block.id, type: 'function', function: { name: block.name, arguments: '' } },
        ],
      }),
    ];
  }

  private blockDelta(index: number, delta: AnthropicDelta): ChatCompletionChunk[] {
    switch (delta.type) {
      case 'text_delta':
        return delta.text ? [this.chunk({ content: delta.text })] : [];
      case 'thinking_delta':
        return delta.thinking ? [this.chunk({ reasoning_content: delta.thinking })] : [];
      case 'input_json_delta': {
        const toolCall = this.toolCallIndices.get(index);
        if (toolCall === undefined)
          throw invalidResponse(this.providerId, `tool arguments for content block ${index}, which is not a tool call`);
        return delta.partial_json
          ? [this.chunk({ tool_calls: [{ index: toolCall, function: { arguments: delta.partial_json } }] })]
          : [];
      }
      default:
        return [];
    }
  }

  private chunk(delta: ChunkDelta, finishReason: FinishReason | null = null): ChatCompletionChunk {
    return { ...this.envelope(), choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }] };
  }

  private usageChunk(): ChatCompletionChunk {
    return { ...this.envelope(), choices: [], usage: toOpenAiUsage(this.usage) };
  }

  private envelope() {
    const { id, model } = this.message!;
    return { id, object: 'chat.completion.chunk' as const, created: this.created, model };
  }
}

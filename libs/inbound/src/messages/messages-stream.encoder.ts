import { newId, type ChatCompletionChunk, type GatewayError, type ToolCallDelta, type Usage } from '@app/common';
import type { SseFrame } from '../sse-frame';
import type { MessagesIds } from './chat-to-message';
import { messagesErrorBody } from './messages-error';
import { stopReasonFor } from './messages-stop-reason';
import { messagesUsage } from './messages-usage';
import type { ContentBlock, ContentBlockDelta, MessagesStreamEvent } from './messages.types';

/** One Anthropic content block in the making. Blocks are numbered by their place in `blocks`. */
interface Block {
  kind: 'text' | 'thinking' | 'tool_use';
  /** tool_use only: the id and name (the name may arrive after the first fragment). */
  id?: string;
  name?: string;
  /** tool_use only: every argument fragment so far, to tell when the JSON is complete. */
  args: string;
  /** What arrived while an earlier block was still open: written as one delta when this block starts. */
  waiting: string;
  state: 'queued' | 'open' | 'closed';
}

/**
 * Canonical chat chunks → Anthropic Messages stream events, as `event:` + `data:` frames:
 * `message_start` (on the first chunk; its usage is 0 until the usage chunk arrives, and the real counts go out
 * in `message_delta`, which the SDK copies over) → per block `content_block_start` / `content_block_delta`
 * (`thinking_delta`, `text_delta`, `input_json_delta`) / `content_block_stop` → `message_delta` (stop reason and
 * usage) → `message_stop`.
 *
 * Blocks are made in the order their content first appears: `reasoning_content` → thinking, `content` → text,
 * each new `tool_calls[].index` → a tool_use block, so parallel calls are consecutive blocks with consecutive
 * indices. Anthropic allows one open block at a time, while chat may interleave the argument fragments of
 * parallel calls, so: the open block streams live; content for a later block waits and is written when that
 * block opens. A text or thinking block closes as soon as a later block exists; a tool_use block closes only
 * once its arguments are complete JSON (or at the end), because an interleaved fragment may still be on its
 * way. Stock upstreams send calls one after the other, so everything streams live; only truly interleaved
 * calls are held back until the earlier call completes. Argument fragments are passed on as they are: a cut-off
 * answer (`max_tokens`) ends with partial JSON exactly as Anthropic's would.
 */
export class MessagesStreamEncoder {
  private readonly blocks: Block[] = [];
  private readonly toolBlocks = new Map<number, Block>();
  /** The first block not yet closed: the only one that may be open. */
  private cursor = 0;
  private started = false;
  private ended = false;
  private finishReason: string | null = null;
  private usage: Usage | null = null;
  private readonly makeId: (prefix: string) => string;

  /** `model` is the name the client asked for, which every Anthropic message carries. */
  constructor(
    private readonly model: string,
    ids: MessagesIds = {},
  ) {
    this.makeId = ids.newId ?? newId;
  }

  push(chunk: ChatCompletionChunk): SseFrame[] {
    if (this.ended) return [];
    const frames: SseFrame[] = [];
    if (chunk.usage) this.usage = chunk.usage;
    this.start(frames);
    const choice = chunk.choices?.find((candidate) => candidate.index === 0) ?? chunk.choices?.[0];
    if (!choice) return frames;
    const delta = choice.delta ?? {};
    if (typeof delta.reasoning_content === 'string' && delta.reasoning_content !== '')
      this.appendText('thinking', delta.reasoning_content, frames);
    if (typeof delta.content === 'string' && delta.content !== '') this.appendText('text', delta.content, frames);
    (delta.tool_calls ?? []).forEach((call, position) => this.appendToolCall(call, position, frames));
    if (choice.finish_reason) this.finishReason = choice.finish_reason;
    this.advance(frames);
    return frames;
  }

  /** The terminal events after a normal end: every block closed, then `message_delta` and `message_stop`. */
  finish(): SseFrame[] {
    if (this.ended) return [];
    const frames: SseFrame[] = [];
    this.start(frames);
    for (; this.cursor < this.blocks.length; this.cursor++) {
      const block = this.blocks[this.cursor];
      if (block.state === 'queued') this.open(block, frames);
      this.emit(frames, { type: 'content_block_stop', index: this.cursor });
    }
    const hasToolUse = this.blocks.some((block) => block.kind === 'tool_use');
    this.emit(frames, {
      type: 'message_delta',
      delta: { stop_reason: stopReasonFor(this.finishReason, hasToolUse), stop_sequence: null },
      usage: messagesUsage(this.usage),
    });
    this.emit(frames, { type: 'message_stop' });
    this.ended = true;
    return frames;
  }

  /** A failure after the stream began: one `event: error` (the SDK throws it as an APIError); nothing follows. */
  fail(error: GatewayError): SseFrame[] {
    if (this.ended) return [];
    this.ended = true;
    return [frame(messagesErrorBody(error))];
  }

  /** Keeps the connection busy while the upstream is silent; clients skip it. */
  ping(): SseFrame {
    return frame({ type: 'ping' });
  }

  private start(frames: SseFrame[]): void {
    if (this.started) return;
    this.started = true;
    this.emit(frames, {
      type: 'message_start',
      message: {
        id: this.makeId('msg_'),
        type: 'message',
        role: 'assistant',
        model: this.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: messagesUsage(this.usage),
      },
    });
  }

  private appendText(kind: 'text' | 'thinking', text: string, frames: SseFrame[]): void {
    let block = this.blocks.at(-1);
    if (block?.kind !== kind) {
      block = newBlock(kind);
      this.blocks.push(block);
    }
    this.write(block, text, frames);
  }

  private appendToolCall(call: ToolCallDelta, position: number, frames: SseFrame[]): void {
    const key = typeof call.index === 'number' ? call.index : position;
    let block = this.toolBlocks.get(key);
    if (!block) {
      block = newBlock('tool_use');
      this.toolBlocks.set(key, block);
      this.blocks.push(block);
    }
    if (call.id && !block.id) block.id = call.id;
    if (call.function?.name && !block.name) block.name = call.function.name;
    const fragment = call.function?.arguments;
    if (!fragment || block.state === 'closed') return; // a closed call's JSON was already complete
    block.args += fragment;
    this.write(block, fragment, frames);
  }

  private write(block: Block, fragment: string, frames: SseFrame[]): void {
    if (block.state === 'open')
      this.emit(frames, { type: 'content_block_delta', index: this.cursor, delta: deltaOf(block.kind, fragment) });
    else block.waiting += fragment;
  }

  /** Opens the block at the cursor when it can, and moves past every block that can be closed. */
  private advance(frames: SseFrame[]): void {
    for (let block = this.blocks[this.cursor]; block; block = this.blocks[this.cursor]) {
      if (block.state === 'queued') {
        if (block.kind === 'tool_use' && !block.name) return;
        this.open(block, frames);
      }
      const later = this.cursor < this.blocks.length - 1;
      if (!later || (block.kind === 'tool_use' && !isCompleteJson(block.args))) return;
      block.state = 'closed';
      this.emit(frames, { type: 'content_block_stop', index: this.cursor });
      this.cursor++;
    }
  }

  private open(block: Block, frames: SseFrame[]): void {
    block.state = 'open';
    this.emit(frames, { type: 'content_block_start', index: this.cursor, content_block: this.emptyBlock(block) });
    if (block.waiting !== '')
      this.emit(frames, { type: 'content_block_delta', index: this.cursor, delta: deltaOf(block.kind, block.waiting) });
    block.waiting = '';
  }

  private emptyBlock(block: Block): ContentBlock {
    if (block.kind === 'text') return { type: 'text', text: '' };
    if (block.kind === 'thinking') return { type: 'thinking', thinking: '', signature: '' };
    block.id ??= this.makeId('toolu_');
    return { type: 'tool_use', id: block.id, name: block.name ?? '', input: {} };
  }

  private emit(frames: SseFrame[], event: MessagesStreamEvent): void {
    frames.push(frame(event));
  }
}

function newBlock(kind: Block['kind']): Block {
  return { kind, args: '', waiting: '', state: 'queued' };
}

function deltaOf(kind: Block['kind'], fragment: string): ContentBlockDelta {
  if (kind === 'text') return { type: 'text_delta', text: fragment };
  if (kind === 'thinking') return { type: 'thinking_delta', thinking: fragment };
  return { type: 'input_json_delta', partial_json: fragment };
}

/** Tool arguments are a JSON object, so only text ending in `}` can be complete; parsing is tried only then. */
function isCompleteJson(text: string): boolean {
  if (!text.trimEnd().endsWith('}')) return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function frame(event: MessagesStreamEvent): SseFrame {
  return { event: event.type, data: JSON.stringify(event) };
}

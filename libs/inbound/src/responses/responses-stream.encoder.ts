import { ChatCompletionChunk, FinishReason, GatewayError, ToolCallDelta, Usage } from '@app/common';
import type { SseFrame } from '../sse-frame';
import { closeToolCallItem, OutputToolCall, openToolCallItem, reasoningItem } from './output-items';
import { outcomeOf, ResponseState, responseObject } from './response-object';
import { ResponseOptions, resolveOptions } from './response-options';
import { responseUsage } from './response-usage';
import type {
  ItemStatus,
  MessageContentPart,
  OutputItem,
  OutputMessage,
  ResponseIdGenerator,
  ResponseObject,
  ResponsesRequest,
  ResponseStreamEvent,
  UnixClock,
} from './responses.types';
import { ToolNameMap } from './tool-name-map';

type EventBody = ResponseStreamEvent extends infer E
  ? E extends ResponseStreamEvent
    ? Omit<E, 'sequence_number'>
    : never
  : never;

interface ReasoningSlot {
  index: number;
  id: string;
  text: string;
}

interface MessageSlot {
  index: number;
  id: string;
  parts: MessageContentPart[];
  /** The part still receiving deltas (always the last one), if any. */
  openPart: boolean;
}

interface ToolSlot {
  callId: string;
  chatName?: string;
  arguments: string;
  /** Set once the item has been announced, which needs the tool's name. */
  index?: number;
  item?: OutputToolCall;
  closed: boolean;
}

/**
 * Chat Completions chunks as the Responses event stream, fed chunk by chunk. `start()` announces the response
 * (`response.created`, `response.in_progress`); chunks open, fill and close output items; `finish()` ends with
 * `response.completed` (or `response.incomplete` after `finish_reason: "length"` / `"content_filter"`) carrying
 * every output item and the usage; `fail()` ends with `response.failed`. Each frame has an `event:` line and a
 * `data` object with `type` and a `sequence_number` counting from 0. After the terminal event the encoder is
 * done: the caller closes the connection (Codex treats an idle connection after `response.completed` as an error).
 *
 * Items follow a chat turn's shape: reasoning (`reasoning_content`, as a summary) → the assistant message
 * (text, or a refusal part) → one item per tool call. A tool call is announced once its name is known; calls
 * whose argument deltas interleave get their own items and output indices. Tool calls are completed
 * (`response.output_item.done`, where Codex picks them up to run) only when the upstream finishes, never on a
 * failure, so a half-streamed call is never executed.
 */
export class ResponsesStreamEncoder {
  readonly responseId: string;
  private readonly ids: ResponseIdGenerator;
  private readonly now: UnixClock;
  private readonly createdAt: number;
  private sequence = 0;
  private started = false;
  private ended = false;
  private readonly output: OutputItem[] = [];
  private reasoning?: ReasoningSlot;
  private message?: MessageSlot;
  private readonly tools = new Map<number, ToolSlot>();
  private finishReason: FinishReason | null = null;
  private usage: Usage | undefined;

  constructor(
    private readonly request: ResponsesRequest,
    private readonly toolNames: ToolNameMap,
    options: ResponseOptions = {},
  ) {
    ({ ids: this.ids, now: this.now } = resolveOptions(options));
    this.responseId = this.ids('resp_');
    this.createdAt = this.now();
  }

  start(): SseFrame[] {
    const frames: SseFrame[] = [];
    if (this.started || this.ended) return frames;
    this.started = true;
    const response = this.snapshot({ status: 'in_progress' });
    this.emit(frames, { type: 'response.created', response });
    this.emit(frames, { type: 'response.in_progress', response });
    return frames;
  }

  push(chunk: ChatCompletionChunk): SseFrame[] {
    if (this.ended) return [];
    const frames = this.start();
    if (chunk.usage) this.usage = chunk.usage;
    const choice = chunk.choices?.find((candidate) => candidate.index === 0);
    if (!choice) return frames;
    const delta = choice.delta ?? {};
    if (typeof delta.reasoning_content === 'string' && delta.reasoning_content !== '')
      this.reasoningDelta(frames, delta.reasoning_content);
    if (typeof delta.content === 'string' && delta.content !== '')
      this.messageDelta(frames, 'output_text', delta.content);
    if (typeof delta.refusal === 'string' && delta.refusal !== '') this.messageDelta(frames, 'refusal', delta.refusal);
    for (const call of delta.tool_calls ?? []) this.toolDelta(frames, call);
    if (choice.finish_reason) {
      this.finishReason = choice.finish_reason;
      this.closeAll(frames);
    }
    return frames;
  }

  finish(): SseFrame[] {
    if (this.ended) return [];
    const frames = this.start();
    this.closeAll(frames);
    if (
      !this.output.some(
        (item) => item.type === 'message' || item.type === 'function_call' || item.type === 'custom_tool_call',
      )
    ) {
      // Like the non-stream response: always say something, if only an empty message.
      this.openMessage(frames);
      this.closeMessage(frames, this.closingStatus());
    }
    const outcome = outcomeOf(this.finishReason);
    const response = this.snapshot({
      ...outcome,
      completedAt: outcome.status === 'completed' ? this.now() : undefined,
      usage: responseUsage(this.usage),
    });
    this.emit(frames, {
      type: outcome.status === 'completed' ? 'response.completed' : 'response.incomplete',
      response,
    });
    this.ended = true;
    return frames;
  }

  /**
   * Ends a stream the upstream broke off: `response.failed` with `error.code` set to what Codex acts on —
   * `rate_limit_exceeded` (with "try again in Ns" when the wait is known), `insufficient_quota` (Codex stops
   * retrying), `context_length_exceeded`, else `server_error` (Codex retries). `insufficient_quota` and
   * `context_length_exceeded` are missing from the spec's enum of codes, but they are the ones Codex checks for.
   * Items still open are reported `incomplete` in the response and never completed.
   */
  fail(error: GatewayError): SseFrame[] {
    if (this.ended) return [];
    const frames = this.start();
    const response = this.snapshot(
      {
        status: 'failed',
        error: { code: failureCode(error), message: failureMessage(error) },
        ...(this.usage ? { usage: responseUsage(this.usage) } : {}),
      },
      this.output.map((item, index) => this.unfinished(index) ?? item),
    );
    this.emit(frames, { type: 'response.failed', response });
    this.ended = true;
    return frames;
  }

  // ---- reasoning -----------------------------------------------------------------------------------------

  private reasoningDelta(frames: SseFrame[], delta: string): void {
    if (!this.reasoning) {
      this.closeMessage(frames, 'completed');
      const slot: ReasoningSlot = { index: this.output.length, id: this.ids('rs_'), text: '' };
      this.reasoning = slot;
      this.addItem(frames, reasoningItem(slot.id, '', 'in_progress'));
      this.emit(frames, {
        type: 'response.reasoning_summary_part.added',
        ...this.at(slot),
        summary_index: 0,
        part: { type: 'summary_text', text: '' },
      });
    }
    const slot = this.reasoning;
    slot.text += delta;
    this.emit(frames, { type: 'response.reasoning_summary_text.delta', ...this.at(slot), summary_index: 0, delta });
  }

  private closeReasoning(frames: SseFrame[], status: ItemStatus): void {
    const slot = this.reasoning;
    if (!slot) return;
    this.reasoning = undefined;
    this.emit(frames, {
      type: 'response.reasoning_summary_text.done',
      ...this.at(slot),
      summary_index: 0,
      text: slot.text,
    });
    this.emit(frames, {
      type: 'response.reasoning_summary_part.done',
      ...this.at(slot),
      summary_index: 0,
      part: { type: 'summary_text', text: slot.text },
    });
    this.doneItem(frames, slot.index, reasoningItem(slot.id, slot.text, status));
  }

  // ---- the assistant message -----------------------------------------------------------------------------

  private messageDelta(frames: SseFrame[], kind: MessageContentPart['type'], delta: string): void {
    this.closeReasoning(frames, 'completed');
    const slot = this.message ?? this.openMessage(frames);
    const current = slot.openPart ? slot.parts.at(-1) : undefined;
    if (current?.type !== kind) {
      this.closePart(frames, slot);
      const part: MessageContentPart =
        kind === 'output_text'
          ? { type: 'output_text', text: '', annotations: [], logprobs: [] }
          : { type: 'refusal', refusal: '' };
      slot.parts.push(part);
      slot.openPart = true;
      this.emit(frames, {
        type: 'response.content_part.added',
        ...this.at(slot),
        content_index: slot.parts.length - 1,
        part: { ...part },
      });
    }
    const part = slot.parts.at(-1)!;
    const contentIndex = slot.parts.length - 1;
    if (part.type === 'output_text') {
      part.text += delta;
      this.emit(frames, {
        type: 'response.output_text.delta',
        ...this.at(slot),
        content_index: contentIndex,
        delta,
        logprobs: [],
      });
    } else {
      part.refusal += delta;
      this.emit(frames, { type: 'response.refusal.delta', ...this.at(slot), content_index: contentIndex, delta });
    }
  }

  private openMessage(frames: SseFrame[]): MessageSlot {
    const slot: MessageSlot = { index: this.output.length, id: this.ids('msg_'), parts: [], openPart: false };
    this.message = slot;
    this.addItem(frames, messageSnapshot(slot, 'in_progress'));
    return slot;
  }

  private closePart(frames: SseFrame[], slot: MessageSlot): void {
    if (!slot.openPart) return;
    slot.openPart = false;
    const part = slot.parts.at(-1)!;
    const contentIndex = slot.parts.length - 1;
    if (part.type === 'output_text') {
      this.emit(frames, {
        type: 'response.output_text.done',
        ...this.at(slot),
        content_index: contentIndex,
        text: part.text,
        logprobs: [],
      });
    } else {
      this.emit(frames, {
        type: 'response.refusal.done',
        ...this.at(slot),
        content_index: contentIndex,
        refusal: part.refusal,
      });
    }
    this.emit(frames, {
      type: 'response.content_part.done',
      ...this.at(slot),
      content_index: contentIndex,
      part: { ...part },
    });
  }

  private closeMessage(frames: SseFrame[], status: ItemStatus): void {
    const slot = this.message;
    if (!slot) return;
    this.message = undefined;
    if (slot.parts.length === 0) {
      // An empty message still carries one (empty) text part, as the non-stream response does.
      slot.parts.push({ type: 'output_text', text: '', annotations: [], logprobs: [] });
      slot.openPart = true;
      this.emit(frames, {
        type: 'response.content_part.added',
        ...this.at(slot),
        content_index: 0,
        part: { ...slot.parts[0] },
      });
    }
    this.closePart(frames, slot);
    this.doneItem(frames, slot.index, messageSnapshot(slot, status));
  }

  // ---- tool calls ----------------------------------------------------------------------------------------

  private toolDelta(frames: SseFrame[], call: ToolCallDelta): void {
    let slot = this.tools.get(call.index);
    if (!slot || slot.closed) {
      slot = { callId: call.id || this.ids('call_'), arguments: '', closed: false };
      this.tools.set(call.index, slot);
    }
    if (slot.chatName === undefined && call.function?.name) slot.chatName = call.function.name;
    const fragment = call.function?.arguments ?? '';
    if (slot.index === undefined) {
      slot.arguments += fragment;
      if (slot.chatName !== undefined) this.announceTool(frames, slot);
      return;
    }
    this.appendArguments(frames, slot, fragment);
  }

  private announceTool(frames: SseFrame[], slot: ToolSlot): void {
    this.closeReasoning(frames, 'completed');
    this.closeMessage(frames, 'completed');
    slot.index = this.output.length;
    slot.item = openToolCallItem(slot.chatName ?? '', slot.callId, this.toolNames, this.ids);
    this.addItem(frames, slot.item);
    const buffered = slot.arguments;
    slot.arguments = '';
    this.appendArguments(frames, slot, buffered);
  }

  /** Function arguments stream as they come; a custom tool's text is inside JSON, so it is sent whole at the end. */
  private appendArguments(frames: SseFrame[], slot: ToolSlot, fragment: string): void {
    if (fragment === '') return;
    slot.arguments += fragment;
    if (slot.item!.type === 'function_call') {
      this.emit(frames, {
        type: 'response.function_call_arguments.delta',
        item_id: slot.item!.id,
        output_index: slot.index!,
        delta: fragment,
      });
    }
  }

  private closeTool(frames: SseFrame[], slot: ToolSlot, status: ItemStatus): void {
    if (slot.closed) return;
    if (slot.index === undefined) this.announceTool(frames, slot);
    slot.closed = true;
    const item = closeToolCallItem(slot.item!, slot.arguments, status);
    const at = { item_id: item.id, output_index: slot.index! };
    if (item.type === 'function_call') {
      this.emit(frames, {
        type: 'response.function_call_arguments.done',
        ...at,
        name: item.name,
        arguments: item.arguments,
      });
    } else {
      if (item.input !== '')
        this.emit(frames, { type: 'response.custom_tool_call_input.delta', ...at, delta: item.input });
      this.emit(frames, { type: 'response.custom_tool_call_input.done', ...at, input: item.input });
    }
    this.doneItem(frames, slot.index!, item);
  }

  // ---- shared --------------------------------------------------------------------------------------------

  private closeAll(frames: SseFrame[]): void {
    const status = this.closingStatus();
    this.closeReasoning(frames, status);
    this.closeMessage(frames, status);
    const open = [...this.tools.values()].filter((slot) => !slot.closed);
    // Announce nameless calls last (they have no place yet), then close in output order.
    for (const slot of open) if (slot.index === undefined) this.announceTool(frames, slot);
    for (const slot of open.sort((a, b) => a.index! - b.index!)) this.closeTool(frames, slot, status);
  }

  private closingStatus(): ItemStatus {
    return outcomeOf(this.finishReason).status === 'completed' ? 'completed' : 'incomplete';
  }

  /** What an item still being written holds so far, marked incomplete; undefined for a finished item. */
  private unfinished(index: number): OutputItem | undefined {
    if (this.reasoning?.index === index) return reasoningItem(this.reasoning.id, this.reasoning.text, 'incomplete');
    if (this.message?.index === index) return messageSnapshot(this.message, 'incomplete');
    const tool = [...this.tools.values()].find((slot) => slot.index === index && !slot.closed);
    return tool ? closeToolCallItem(tool.item!, tool.arguments, 'incomplete') : undefined;
  }

  private addItem(frames: SseFrame[], item: OutputItem): void {
    const index = this.output.length;
    this.output.push(item);
    this.emit(frames, { type: 'response.output_item.added', output_index: index, item });
  }

  private doneItem(frames: SseFrame[], index: number, item: OutputItem): void {
    this.output[index] = item;
    this.emit(frames, { type: 'response.output_item.done', output_index: index, item });
  }

  private at(slot: { index: number; id: string }): { item_id: string; output_index: number } {
    return { item_id: slot.id, output_index: slot.index };
  }

  private snapshot(
    state: Omit<ResponseState, 'id' | 'createdAt' | 'output'>,
    output: OutputItem[] = [...this.output],
  ): ResponseObject {
    return responseObject(this.request, { id: this.responseId, createdAt: this.createdAt, output, ...state });
  }

  private emit(frames: SseFrame[], body: EventBody): void {
    const event = { ...body, sequence_number: this.sequence++ };
    frames.push({ event: event.type, data: JSON.stringify(event) });
  }
}

function messageSnapshot(slot: MessageSlot, status: ItemStatus): OutputMessage {
  return { type: 'message', id: slot.id, status, role: 'assistant', content: slot.parts.map((part) => ({ ...part })) };
}

function failureCode(error: GatewayError): string {
  if (error.code === 'rate_limit_exceeded' || error.code === 'upstream_rate_limited') return 'rate_limit_exceeded';
  if (error.code === 'insufficient_quota') return 'insufficient_quota';
  if (error.options.clientCode === 'context_length_exceeded') return 'context_length_exceeded';
  return 'server_error';
}

/** Codex reads the wait before retrying a rate limit from the message ("try again in 20s"). */
function failureMessage(error: GatewayError): string {
  const wait = error.options.retryAfterSeconds;
  if (failureCode(error) !== 'rate_limit_exceeded' || wait === undefined || /try again in/i.test(error.message))
    return error.message;
  return `${error.message} Please try again in ${wait}s.`;
}

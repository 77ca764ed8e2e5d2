import { ChatMessage, ContentPart, GatewayError } from '@app/common';
import { CUSTOM_TOOL_INPUT } from './responses-tools';
import type { ResponsesInputItem } from './responses.types';
import { ToolNameMap } from './tool-name-map';

export interface ChatHistory {
  messages: ChatMessage[];
  /** What could not be carried to a chat upstream, each named once. */
  dropped: string[];
}

const IMAGE_DETAILS = new Set(['auto', 'low', 'high']);

/**
 * Responses `input` as chat messages, in order:
 * - a string → one user message;
 * - `message` items keep their role, except `developer` → `system` (chat-format upstreams other than OpenAI
 *   may not know `developer`, and OpenAI treats the two alike); text parts → text, `input_image` URLs → image
 *   parts of user messages;
 * - `function_call` / `custom_tool_call` → `tool_calls` of an assistant message: consecutive calls share one,
 *   and a call right after an assistant message joins it (one turn); custom calls carry their text as `{input}`;
 * - `function_call_output` / `custom_tool_call_output` → `tool` messages (text parts joined); images in them go
 *   to one user message after the run of tool messages, since chat tool messages carry text only;
 * - `reasoning` items with readable text and no `encrypted_content` were made by this gateway from a chat
 *   upstream's `reasoning_content`; their text goes back as `reasoning_content` on the next assistant message when
 *   it makes tool calls (DeepSeek's thinking mode rejects a tool-call turn without it). Encrypted reasoning is
 *   OpenAI's own and is dropped;
 * - `item_reference` → 400 (nothing is stored here); other item types (hosted tool calls, …) are dropped.
 */
export function responsesInputToChat(input: string | ResponsesInputItem[], toolNames: ToolNameMap): ChatHistory {
  if (typeof input === 'string') return { messages: [{ role: 'user', content: input }], dropped: [] };
  const history = new ChatHistoryBuilder(toolNames);
  input.forEach((item, i) => history.add(item, `input[${i}]`));
  return history.finish();
}

class ChatHistoryBuilder {
  private readonly messages: ChatMessage[] = [];
  private readonly dropped = new Set<string>();
  private readonly callIds = new Set<string>();
  private pendingReasoning: string | undefined;
  private pendingToolImages: ContentPart[] = [];

  constructor(private readonly toolNames: ToolNameMap) {}

  add(item: ResponsesInputItem, at: string): void {
    const type = item.type ?? (typeof item.role === 'string' ? 'message' : 'item_reference');
    if (type !== 'function_call_output' && type !== 'custom_tool_call_output') this.flushToolImages();
    switch (type) {
      case 'message':
        return this.message(item, at);
      case 'function_call':
        return this.toolCall(item, at, 'function', () => stringArguments(item.arguments));
      case 'custom_tool_call':
        return this.toolCall(item, at, 'custom', () =>
          JSON.stringify({ [CUSTOM_TOOL_INPUT]: typeof item.input === 'string' ? item.input : '' }),
        );
      case 'function_call_output':
      case 'custom_tool_call_output':
        return this.toolOutput(item, at);
      case 'reasoning':
        return this.reasoning(item);
      case 'item_reference':
        throw invalid(
          `${at} is an item reference ("${String(item.id)}"), but this gateway keeps no items to resolve it. Send the full item with "store": false (Vercel AI SDK: providerOptions.openai.store = false).`,
          at,
        );
      default:
        this.dropped.add(`input item "${String(type)}"`);
    }
  }

  finish(): ChatHistory {
    this.flushToolImages();
    for (const message of this.messages) {
      if (message.reasoning_content !== undefined && !message.tool_calls?.length) delete message.reasoning_content;
    }
    return { messages: this.messages, dropped: [...this.dropped] };
  }

  private message(item: ResponsesInputItem, at: string): void {
    const role = item.role === 'developer' ? 'system' : item.role;
    if (role !== 'user' && role !== 'assistant' && role !== 'system') {
      throw invalid(`${at}.role must be "user", "assistant", "system" or "developer".`, `${at}.role`);
    }
    const content = this.content(item.content, role, at);
    if (content === undefined) return;
    const message: ChatMessage = { role, content };
    if (role === 'assistant') this.attachReasoning(message);
    this.messages.push(message);
  }

  /** Message content as chat content; undefined when nothing translatable is left (empty messages are refused by several upstreams). */
  private content(
    content: unknown,
    role: 'user' | 'assistant' | 'system',
    at: string,
  ): ChatMessage['content'] | undefined {
    if (typeof content === 'string') return content;
    if (!Array.isArray(content))
      throw invalid(`${at}.content must be a string or an array of content parts.`, `${at}.content`);
    const parts = content.flatMap((part: Record<string, unknown>) => this.contentPart(part, role === 'user'));
    if (parts.length === 0) return undefined;
    return parts.length === 1 && parts[0].type === 'text' ? (parts[0].text as string) : parts;
  }

  private contentPart(part: Record<string, unknown>, imagesAllowed: boolean): ContentPart[] {
    switch (part?.type) {
      case 'input_text':
      case 'output_text':
      case 'text':
        return typeof part.text === 'string' ? [{ type: 'text', text: part.text }] : [];
      case 'refusal':
        return typeof part.refusal === 'string' ? [{ type: 'text', text: part.refusal }] : [];
      case 'input_image': {
        const image = imagePart(part);
        if (!image) this.dropped.add('input_image without image_url (file_id)');
        else if (!imagesAllowed) this.dropped.add('input_image outside a user message');
        return image && imagesAllowed ? [image] : [];
      }
      default:
        this.dropped.add(`content part "${String(part?.type)}"`);
        return [];
    }
  }

  private toolCall(item: ResponsesInputItem, at: string, kind: 'function' | 'custom', args: () => string): void {
    if (typeof item.call_id !== 'string' || typeof item.name !== 'string')
      throw invalid(`${at} (${item.type}) needs a "call_id" and a "name".`, at);
    const name = this.toolNames.register({
      name: item.name,
      kind,
      ...(typeof item.namespace === 'string' ? { namespace: item.namespace } : {}),
    });
    let turn = this.messages.at(-1);
    if (turn?.role !== 'assistant') {
      turn = { role: 'assistant', content: null };
      this.attachReasoning(turn);
      this.messages.push(turn);
    }
    (turn.tool_calls ??= []).push({ id: item.call_id, type: 'function', function: { name, arguments: args() } });
    this.callIds.add(item.call_id);
  }

  private toolOutput(item: ResponsesInputItem, at: string): void {
    if (typeof item.call_id !== 'string') throw invalid(`${at} (${item.type}) needs a "call_id".`, at);
    if (!this.callIds.has(item.call_id)) {
      // A tool message must answer a tool call of the assistant message before it, or chat upstreams reject the request.
      this.dropped.add(`${item.type} without its call`);
      return;
    }
    this.messages.push({ role: 'tool', tool_call_id: item.call_id, content: this.toolOutputText(item.output) });
  }

  private toolOutputText(output: unknown): string {
    if (typeof output === 'string') return output;
    if (!Array.isArray(output)) return output === undefined || output === null ? '' : JSON.stringify(output);
    const texts: string[] = [];
    let images = 0;
    for (const part of output as Array<Record<string, unknown>>) {
      if ((part?.type === 'input_text' || part?.type === 'output_text') && typeof part.text === 'string')
        texts.push(part.text);
      else if (part?.type === 'input_image' && imagePart(part)) {
        this.pendingToolImages.push(imagePart(part)!);
        images++;
      } else this.dropped.add(`tool output part "${String(part?.type)}"`);
    }
    if (images > 0)
      texts.push(
        `[${images} image${images === 1 ? '' : 's'} from this tool result follow${images === 1 ? 's' : ''} in the next user message]`,
      );
    return texts.join('\n');
  }

  private flushToolImages(): void {
    if (this.pendingToolImages.length === 0) return;
    this.messages.push({
      role: 'user',
      content: [{ type: 'text', text: 'Images returned by the tool calls above:' }, ...this.pendingToolImages],
    });
    this.pendingToolImages = [];
  }

  private reasoning(item: ResponsesInputItem): void {
    if (typeof item.encrypted_content === 'string' && item.encrypted_content !== '') {
      this.dropped.add('reasoning.encrypted_content');
      return;
    }
    const texts = [...textsOf(item.summary, 'summary_text'), ...textsOf(item.content, 'reasoning_text')];
    if (texts.length === 0) return;
    this.pendingReasoning = [this.pendingReasoning, ...texts].filter((text) => text !== undefined).join('\n\n');
  }

  private attachReasoning(message: ChatMessage): void {
    if (this.pendingReasoning === undefined) return;
    message.reasoning_content = this.pendingReasoning;
    this.pendingReasoning = undefined;
  }
}

function imagePart(part: Record<string, unknown>): ContentPart | undefined {
  if (typeof part.image_url !== 'string' || part.image_url === '') return undefined;
  const detail = typeof part.detail === 'string' && IMAGE_DETAILS.has(part.detail) ? { detail: part.detail } : {};
  return { type: 'image_url', image_url: { url: part.image_url, ...detail } };
}

function textsOf(parts: unknown, type: string): string[] {
  if (!Array.isArray(parts)) return [];
  return (parts as Array<{ type?: unknown; text?: unknown } | null>).flatMap((part) =>
    part?.type === type && typeof part.text === 'string' && part.text !== '' ? [part.text] : [],
  );
}

/** Chat wants a JSON string; some clients send an empty string for "no arguments" or the object itself. */
function stringArguments(value: unknown): string {
  if (typeof value === 'string') return value === '' ? '{}' : value;
  return JSON.stringify(value ?? {});
}

function invalid(message: string, param: string): GatewayError {
  return new GatewayError('invalid_request_error', message, { param });
}

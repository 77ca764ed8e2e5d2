import type { ChatMessage, ContentPart, ToolCall } from '@app/common';
import type {
  ContentBlockParam,
  DocumentBlockParam,
  ImageBlockParam,
  MessageParam,
  TextBlockParam,
  ToolResultBlockParam,
  ToolUseBlockParam,
} from './messages.types';

/** Joins text blocks that become one chat string; blocks are paragraphs to the model either way. */
const BLOCK_SEPARATOR = '\n\n';

/**
 * Anthropic's conversation as chat messages. `dropped` collects what has no chat equivalent (named once each).
 *
 * - A user turn's `tool_result` blocks become `role: "tool"` messages placed first, so they directly follow the
 *   assistant message whose `tool_calls` they answer (chat requires it); the rest of the turn (text, images)
 *   follows as one user message. Images inside tool results have no place in a tool message: they are
 *   carried in that user message, introduced by a line naming the tool call.
 * - An assistant turn's text blocks become `content`, its `tool_use` blocks `tool_calls` (ids kept, `input`
 *   as a JSON string); thinking blocks are dropped (signed for Anthropic only; chat has no standard slot).
 * - Text-only content is sent as a string, the form every OpenAI-compatible upstream accepts.
 */
export function conversationToChat(messages: readonly MessageParam[], dropped: Set<string>): ChatMessage[] {
  const chat: ChatMessage[] = [];
  for (const message of messages) {
    // A plain-text user or assistant turn, the most common kind, maps straight to its chat message: no blocks
    // built and joined first (a dozen short-lived objects per message, which a 200k-message request makes the
    // collector pay for).
    if (typeof message.content === 'string' && message.role !== 'system') {
      if (message.role === 'user') chat.push({ role: 'user', content: message.content });
      else if (message.content !== '') chat.push({ role: 'assistant', content: message.content });
      continue;
    }
    const blocks =
      typeof message.content === 'string'
        ? [{ type: 'text', text: message.content } as TextBlockParam]
        : message.content;
    noteCacheControl(blocks, dropped);
    if (message.role === 'assistant') {
      const assistant = assistantTurn(blocks, dropped);
      if (assistant) chat.push(assistant);
    } else if (message.role === 'system') {
      chat.push({ role: 'system', content: joinText(blocks as TextBlockParam[]) });
    } else {
      chat.push(...userTurn(blocks, dropped));
    }
  }
  return chat;
}

/** The top-level `system` (a string or text blocks) as one system message. */
export function systemToChat(system: string | TextBlockParam[] | undefined, dropped: Set<string>): ChatMessage[] {
  if (system === undefined) return [];
  if (typeof system !== 'string') noteCacheControl(system, dropped);
  const text = typeof system === 'string' ? system : joinText(system);
  return text === '' ? [] : [{ role: 'system', content: text }];
}

function userTurn(blocks: readonly ContentBlockParam[], dropped: Set<string>): ChatMessage[] {
  const toolMessages: ChatMessage[] = [];
  const toolImages: ContentPart[] = [];
  const parts: ContentPart[] = [];
  for (const block of blocks) {
    if (block.type === 'tool_result') {
      const result = toolResult(block, dropped);
      toolMessages.push(result.message);
      toolImages.push(...result.images);
    } else {
      parts.push(...userParts(block, dropped));
    }
  }
  const rest = [...toolImages, ...parts];
  if (toolMessages.length > 0 && rest.length === 0) return toolMessages;
  return [...toolMessages, { role: 'user', content: asContent(rest) }];
}

function assistantTurn(blocks: readonly ContentBlockParam[], dropped: Set<string>): ChatMessage | null {
  const texts: string[] = [];
  const toolCalls: ToolCall[] = [];
  for (const block of blocks) {
    if (block.type === 'text') {
      if (block.text !== '') texts.push(block.text);
    } else if (block.type === 'tool_use') {
      toolCalls.push(toolCall(block));
    } else {
      dropped.add(`${block.type} blocks`);
    }
  }
  if (texts.length === 0 && toolCalls.length === 0) return null;
  const message: ChatMessage = { role: 'assistant', content: texts.length > 0 ? texts.join(BLOCK_SEPARATOR) : null };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  return message;
}

function toolCall(block: ToolUseBlockParam): ToolCall {
  return {
    id: block.id,
    type: 'function',
    function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) },
  };
}

function toolResult(
  block: ToolResultBlockParam,
  dropped: Set<string>,
): { message: ChatMessage; images: ContentPart[] } {
  const inner: readonly ContentBlockParam[] =
    typeof block.content === 'string' ? [{ type: 'text', text: block.content }] : (block.content ?? []);
  noteCacheControl(inner, dropped);
  const texts: string[] = [];
  const images: ContentPart[] = [];
  for (const part of inner.flatMap((b) => userParts(b, dropped))) {
    if (part.type === 'text') texts.push((part as { text: string }).text);
    else images.push(part);
  }
  let text = texts.join(BLOCK_SEPARATOR);
  if (images.length > 0 && text === '')
    text = `(${images.length === 1 ? 'an image' : 'images'}, attached to the next user message)`;
  if (block.is_error) text = `Error: ${text}`;
  const introduction: ContentPart[] =
    images.length > 0
      ? [
          {
            type: 'text',
            text: `Tool call ${block.tool_use_id} returned ${images.length === 1 ? 'this image' : 'these images'}:`,
          },
        ]
      : [];
  return {
    message: { role: 'tool', tool_call_id: block.tool_use_id, content: text },
    images: [...introduction, ...images],
  };
}

/** A user-side block (also found inside tool results) as chat content parts. */
function userParts(block: ContentBlockParam, dropped: Set<string>): ContentPart[] {
  switch (block.type) {
    case 'text':
      return [{ type: 'text', text: block.text }];
    case 'image':
      return imagePart(block, dropped);
    case 'document':
      return documentParts(block, dropped);
    default:
      dropped.add(`${(block as { type: string }).type} blocks`);
      return [];
  }
}

function imagePart(block: ImageBlockParam, dropped: Set<string>): ContentPart[] {
  const source = block.source;
  if (source.type === 'base64')
    return [{ type: 'image_url', image_url: { url: `data:${source.media_type};base64,${source.data}` } }];
  if (source.type === 'url') return [{ type: 'image_url', image_url: { url: source.url } }];
  dropped.add(`image blocks (${source.type} source)`);
  return [];
}

/** Plain-text documents keep their text (titled); PDFs, URLs and uploaded files have no chat form the gateway can rely on. */
function documentParts(block: DocumentBlockParam, dropped: Set<string>): ContentPart[] {
  const source = block.source;
  const titled = (text: string): ContentPart[] => [
    { type: 'text', text: block.title ? `${block.title}${BLOCK_SEPARATOR}${text}` : text },
  ];
  if (source.type === 'text') return titled(source.data);
  if (source.type === 'content') {
    if (typeof source.content === 'string') return titled(source.content);
    return source.content.flatMap((inner) => userParts(inner, dropped));
  }
  dropped.add(`document blocks (${source.type} source)`);
  return [];
}

function asContent(parts: ContentPart[]): string | ContentPart[] {
  if (parts.every((part) => part.type === 'text'))
    return parts.map((part) => (part as { text: string }).text).join(BLOCK_SEPARATOR);
  return parts;
}

function joinText(blocks: readonly TextBlockParam[]): string {
  return blocks
    .map((block) => block.text)
    .filter((text) => text !== '')
    .join(BLOCK_SEPARATOR);
}

function noteCacheControl(blocks: readonly object[], dropped: Set<string>): void {
  if (blocks.some((block) => 'cache_control' in block && (block as { cache_control?: unknown }).cache_control))
    dropped.add('cache_control');
}

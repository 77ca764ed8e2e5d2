import { newId, type ChatCompletion } from '@app/common';
import { stopReasonFor } from './messages-stop-reason';
import { messagesUsage } from './messages-usage';
import type { ContentBlock, Message } from './messages.types';

export interface MessagesIds {
  /** Makes ids (`msg_…`, `toolu_…` for tool calls that came without one); injectable for deterministic tests. */
  newId?: (prefix: string) => string;
}

/**
 * A chat completion as Anthropic's `Message`, named with the model the client asked for. Blocks, in the order
 * Anthropic puts them: `thinking` from the non-standard `reasoning_content` (empty signature: nothing can sign
 * another provider's reasoning; Anthropic drops unsigned thinking it is sent back, and so does this gateway's
 * translation), `text` when there is text, then one `tool_use` per tool call with its id kept. Empty text and
 * reasoning make no block, as in the stream encoder, so a streamed and a non-streamed answer are equal.
 */
export function chatToMessage(completion: ChatCompletion, model: string, ids: MessagesIds = {}): Message {
  const makeId = ids.newId ?? newId;
  const choice = completion.choices?.[0];
  const message = choice?.message;
  const content: ContentBlock[] = [];
  const reasoning = message?.reasoning_content;
  if (typeof reasoning === 'string' && reasoning !== '')
    content.push({ type: 'thinking', thinking: reasoning, signature: '' });
  if (typeof message?.content === 'string' && message.content !== '')
    content.push({ type: 'text', text: message.content });
  for (const call of message?.tool_calls ?? []) {
    content.push({
      type: 'tool_use',
      id: call.id || makeId('toolu_'),
      name: call.function.name,
      input: toolInput(call.function.arguments),
    });
  }
  return {
    id: makeId('msg_'),
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: stopReasonFor(
      choice?.finish_reason,
      content.some((block) => block.type === 'tool_use'),
    ),
    stop_sequence: null,
    usage: messagesUsage(completion.usage),
  };
}

/**
 * Chat arguments are a JSON string; Anthropic's `input` is an object. Arguments that are empty, malformed or not
 * an object become `{}`: the block must stay well-formed for the client, and the tool's own validation then
 * tells the model which arguments are missing, so it can call again. (The raw text has no place in the block.)
 */
function toolInput(argumentsJson: string | undefined): Record<string, unknown> {
  if (!argumentsJson) return {};
  try {
    const parsed: unknown = JSON.parse(argumentsJson);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

import {
  forSlicesInTurns,
  isLongList,
  ITEM_TURNS,
  type ChatCompletionRequest,
  type ChatMessage,
  type ItemTurns,
} from '@app/common';
import { conversationToChat, systemToChat } from './messages-conversation';
import { toolsToChat } from './messages-tools';
import type { MessagesRequest, OutputConfig, ThinkingConfig } from './messages.types';

export interface MessagesToChatResult {
  chat: ChatCompletionRequest;
  /** What the chat form cannot carry, each named once (for the evidence record). */
  dropped: string[];
}

/** Anthropic-only request fields that no chat upstream understands; named when a client sends them. */
const ANTHROPIC_ONLY_FIELDS = [
  'container',
  'context_management',
  'mcp_servers',
  'service_tier',
  'inference_geo',
  'speed',
] as const;

/**
 * A Messages API request as the gateway's canonical Chat Completions request, for upstreams that are not
 * Anthropic. `model` is the client's name, which the router replaces. See messages-conversation.ts for the
 * conversation and messages-tools.ts for tools; the generation settings map here:
 * `max_tokens` → `max_tokens`, `stop_sequences` → `stop`, `temperature` / `top_p` as they are (Anthropic's
 * 0–1 temperature means the same on chat's 0–2 scale), `metadata.user_id` → `user`,
 * `output_config.format` (JSON schema) → `response_format`, `stream` → `stream` with usage requested.
 * Dropped and named: `top_k`, `thinking` (see thinkingToChat), `cache_control`, `output_config.effort` and the
 * Anthropic-only fields above.
 */
export function messagesToChat(request: MessagesRequest): MessagesToChatResult {
  const dropped = new Set<string>();
  const system = systemToChat(request.system, dropped);
  return withSettings(request, [...system, ...conversationToChat(request.messages, dropped)], dropped);
}

/**
 * `messagesToChat` without holding the event loop for long: a conversation of up to one slice of messages
 * (`ITEM_TURNS`, 1,000) is translated at once, as by `messagesToChat`; a longer one slice by slice, letting
 * other requests run between turns (200k messages otherwise take ~100 ms in one call). Each message translates
 * on its own, so the result is the same.
 */
export async function messagesToChatInTurns(
  request: MessagesRequest,
  turns: ItemTurns = ITEM_TURNS,
): Promise<MessagesToChatResult> {
  const messages = request.messages;
  if (!isLongList(messages.length, turns)) return messagesToChat(request);
  const dropped = new Set<string>();
  const conversation = systemToChat(request.system, dropped);
  await forSlicesInTurns(
    messages.length,
    (from, to) => {
      for (const message of conversationToChat(messages.slice(from, to), dropped)) conversation.push(message);
    },
    turns,
  );
  return withSettings(request, conversation, dropped);
}

/** The chat request around the translated messages (system prompt first): tools and generation settings. */
function withSettings(request: MessagesRequest, messages: ChatMessage[], dropped: Set<string>): MessagesToChatResult {
  const chat: ChatCompletionRequest = {
    model: request.model,
    messages,
    max_tokens: request.max_tokens,
    ...toolsToChat(request.tools, request.tool_choice, dropped),
    ...thinkingToChat(request.thinking, dropped),
    ...outputConfigToChat(request.output_config, dropped),
  };
  if (request.temperature !== undefined) chat.temperature = request.temperature;
  if (request.top_p !== undefined) chat.top_p = request.top_p;
  if (request.top_k !== undefined) dropped.add('top_k');
  if (request.stop_sequences !== undefined && request.stop_sequences.length > 0) chat.stop = request.stop_sequences;
  if (typeof request.metadata?.user_id === 'string' && request.metadata.user_id !== '')
    chat.user = request.metadata.user_id;
  if (request.cache_control) dropped.add('cache_control');
  for (const field of ANTHROPIC_ONLY_FIELDS)
    if (request[field] !== undefined && request[field] !== null) dropped.add(field);
  if (request.stream === true) {
    chat.stream = true;
    chat.stream_options = { include_usage: true };
  }
  return { chat, dropped: [...dropped] };
}

/**
 * Extended thinking has no chat-wide equivalent: an enabled (or adaptive) `thinking` is dropped and named.
 * The place to map it to a provider's reasoning setting (e.g. `reasoning_effort` from `budget_tokens`).
 */
function thinkingToChat(thinking: ThinkingConfig | undefined, dropped: Set<string>): Partial<ChatCompletionRequest> {
  if (thinking !== undefined && thinking.type !== 'disabled') dropped.add('thinking');
  return {};
}

function outputConfigToChat(config: OutputConfig | undefined, dropped: Set<string>): Partial<ChatCompletionRequest> {
  if (config?.effort !== undefined && config.effort !== null) dropped.add('output_config.effort');
  const format = config?.format;
  if (!format || format.type !== 'json_schema') return {};
  return { response_format: { type: 'json_schema', json_schema: { name: 'output', schema: format.schema } } };
}

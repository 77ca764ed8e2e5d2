import { ChatCompletionRequest, ChatMessage } from '@app/common';
import { responsesInputToChat } from './responses-input';
import { responsesToolsToChat } from './responses-tools';
import type { ResponsesRequest, ResponsesTextFormat } from './responses.types';
import { ToolNameMap } from './tool-name-map';

export interface ResponsesAsChat {
  chat: ChatCompletionRequest;
  /** Request fields and input content a chat upstream cannot receive, each named once (for the evidence record). */
  dropped: string[];
  /** Hosted tools left out (for the evidence record and the `x-switchyard-dropped-tools` header). */
  droppedTools: string[];
  /** Maps the chat tool names back to Responses tools; the response translators need it. */
  toolNames: ToolNameMap;
}

/** Responses parameters that have a chat equivalent under the same name and meaning. */
const SAME_NAME = ['temperature', 'top_p', 'user', 'safety_identifier', 'prompt_cache_key', 'service_tier'] as const;

/**
 * A Responses request as the gateway's canonical Chat Completions request (see responses-input.ts and
 * responses-tools.ts for input items and tools). Parameters:
 * - `instructions` → a leading `system` message (see responses-input.ts on `developer`);
 * - `max_output_tokens` → `max_completion_tokens`: it counts reasoning tokens like the Responses field, OpenAI's
 *   reasoning models reject `max_tokens`, and the Anthropic and Gemini adapters read either;
 * - `reasoning.effort` → `reasoning_effort`; `text.format` → `response_format`; `text.verbosity` → `verbosity`;
 * - `stream` → `stream` with `stream_options.include_usage` (usage is needed for `response.completed`);
 * - `parallel_tool_calls` and `tool_choice` only with tools (OpenAI rejects them without);
 * - `metadata`, `include`, `truncation: "auto"`, `top_logprobs`, `max_tool_calls`, `prompt` have no chat
 *   counterpart and are dropped and named; `store` is answered by the response (`store: false`).
 */
export function responsesToChat(request: ResponsesRequest): ResponsesAsChat {
  const toolNames = new ToolNameMap();
  // Tools first: they get the plain names, history-only tools take what is left.
  const tools = responsesToolsToChat(request.tools, request.tool_choice, toolNames);
  const history = responsesInputToChat(request.input, toolNames);
  const messages: ChatMessage[] = request.instructions
    ? [{ role: 'system', content: request.instructions }, ...history.messages]
    : history.messages;

  const chat: ChatCompletionRequest = { model: request.model, messages };
  for (const key of SAME_NAME)
    if (request[key] !== undefined && request[key] !== null) (chat as Record<string, unknown>)[key] = request[key];
  if (typeof request.max_output_tokens === 'number') chat.max_completion_tokens = request.max_output_tokens;
  if (typeof request.reasoning?.effort === 'string') chat.reasoning_effort = request.reasoning.effort;
  const responseFormat = chatResponseFormat(request.text?.format);
  if (responseFormat) chat.response_format = responseFormat;
  if (typeof request.text?.verbosity === 'string') chat.verbosity = request.text.verbosity;
  if (tools.tools.length > 0) {
    chat.tools = tools.tools;
    if (tools.toolChoice !== undefined) chat.tool_choice = tools.toolChoice;
    if (typeof request.parallel_tool_calls === 'boolean') chat.parallel_tool_calls = request.parallel_tool_calls;
  }
  if (request.stream) {
    chat.stream = true;
    chat.stream_options = { include_usage: true };
  }
  return {
    chat,
    dropped: [...droppedParameters(request), ...history.dropped],
    droppedTools: tools.droppedTools,
    toolNames,
  };
}

function chatResponseFormat(format: ResponsesTextFormat | undefined): Record<string, unknown> | undefined {
  if (format?.type === 'json_object') return { type: 'json_object' };
  if (format?.type !== 'json_schema') return undefined;
  return {
    type: 'json_schema',
    json_schema: {
      name: format.name,
      schema: format.schema,
      ...(typeof format.strict === 'boolean' ? { strict: format.strict } : {}),
      ...(typeof format.description === 'string' ? { description: format.description } : {}),
    },
  };
}

function droppedParameters(request: ResponsesRequest): string[] {
  const dropped: string[] = [];
  if (isNonEmptyObject(request.metadata)) dropped.push('metadata');
  if (Array.isArray(request.include) && request.include.length > 0) dropped.push('include');
  if (request.truncation === 'auto') dropped.push('truncation');
  for (const key of ['top_logprobs', 'max_tool_calls', 'prompt'] as const)
    if (request[key] !== undefined && request[key] !== null) dropped.push(key);
  return dropped;
}

function isNonEmptyObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.keys(value).length > 0;
}

import { ChatCompletionRequest, ChatMessage, GatewayError, ToolCall, ToolDefinition } from '@app/common';
import type { ChatTarget } from '../provider.types';
import type {
  AnthropicImageBlock,
  AnthropicMessage,
  AnthropicRequest,
  AnthropicRequestBlock,
  AnthropicTextBlock,
  AnthropicTool,
  AnthropicToolChoice,
  AnthropicToolResultBlock,
  AnthropicToolUseBlock,
} from './anthropic.types';
import { applyReasoningEffort } from './anthropic-thinking.mapper';

export interface MappedRequest {
  body: AnthropicRequest;
  /** OpenAI parameters left out because Anthropic cannot honour them (see README.md). */
  droppedParams: string[];
}

/** Anthropic requires an output cap; this one applies when neither the client nor the model config sets one. */
export const DEFAULT_MAX_TOKENS = 4096;

/** Parameters translated here or consumed by the gateway. Anthropic rejects unknown fields, so the rest is left out. */
const TRANSLATED = new Set([
  'model',
  'messages',
  'stream',
  'stream_options',
  'max_tokens',
  'max_completion_tokens',
  'temperature',
  'top_p',
  'stop',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'user',
  'reasoning_effort',
]);

/** Values that ask for no more than the default: leaving them out loses nothing, so they are not reported. */
const DEFAULT_VALUES = new Map<string, unknown>([
  ['n', 1],
  ['logprobs', false],
  ['presence_penalty', 0],
  ['frequency_penalty', 0],
  ['store', false],
  ['service_tier', 'auto'],
]);

/**
 * An OpenAI chat request as an Anthropic Messages request. Content Anthropic cannot represent (audio, files,
 * the legacy `function` role) is a 400 rather than silently lost; parameters it cannot honour are dropped
 * and reported.
 */
export function toAnthropicRequest(
  request: ChatCompletionRequest,
  target: ChatTarget,
  options: { stream: boolean },
): MappedRequest {
  const droppedParams = Object.keys(request).filter(
    (key) => !TRANSLATED.has(key) && !asksForDefault(key, request[key]),
  );
  const { system, messages } = mapMessages(request.messages);
  const body: AnthropicRequest = {
    model: target.upstreamModel,
    max_tokens: request.max_completion_tokens ?? request.max_tokens ?? target.defaultMaxTokens ?? DEFAULT_MAX_TOKENS,
    messages,
    ...(system.length > 0 ? { system } : {}),
    ...stopSequences(request.stop),
    // Anthropic's range is 0..1. Clamping keeps the common 0..1 settings meaning what they meant; scaling
    // 0..2 down would halve every one of them.
    ...(typeof request.temperature === 'number' ? { temperature: Math.min(Math.max(request.temperature, 0), 1) } : {}),
    ...(typeof request.top_p === 'number' ? { top_p: request.top_p } : {}),
    ...(request.user ? { metadata: { user_id: request.user } } : {}),
    ...(options.stream ? { stream: true } : {}),
  };
  if (request.tools && request.tools.length > 0) {
    // Without tools a tool_choice means nothing, and Anthropic rejects it.
    body.tools = request.tools.map(mapTool);
    const choice = toolChoice(request.tool_choice, request.parallel_tool_calls === false);
    if (choice === 'unsupported') droppedParams.push('tool_choice');
    else if (choice) body.tool_choice = choice;
  }
  const thinking = applyReasoningEffort(body, request.reasoning_effort);
  return { body: thinking.body, droppedParams: [...droppedParams, ...thinking.dropped] };
}

function asksForDefault(key: string, value: unknown): boolean {
  if (value === null || value === undefined || DEFAULT_VALUES.get(key) === value) return true;
  if (key === 'response_format') return (value as { type?: unknown }).type === 'text';
  return key === 'logit_bias' && typeof value === 'object' && Object.keys(value).length === 0;
}

/**
 * System and developer messages (wherever they are) become the top-level `system`, in order. Consecutive
 * messages of one role merge, because Anthropic wants user and assistant turns to alternate; `tool`
 * messages become `tool_result` blocks of a user turn, placed before that turn's other content.
 */
function mapMessages(input: ChatMessage[]): { system: AnthropicTextBlock[]; messages: AnthropicMessage[] } {
  const system: AnthropicTextBlock[] = [];
  const turns: AnthropicMessage[] = [];
  const append = (role: AnthropicMessage['role'], content: AnthropicRequestBlock[]) => {
    const last = turns.at(-1);
    if (content.length === 0) return;
    if (last?.role === role) last.content.push(...content);
    else turns.push({ role, content });
  };
  input.forEach((message, i) => {
    const where = `messages[${i}]`;
    switch (message.role) {
      case 'system':
      case 'developer':
        system.push(...contentBlocks(message.content, where, { images: false }));
        break;
      case 'user':
        append('user', contentBlocks(message.content, where, { images: true }));
        break;
      case 'assistant':
        append('assistant', [
          ...contentBlocks(message.content, where, { images: false }),
          ...(message.tool_calls ?? []).map(toolUse),
        ]);
        break;
      case 'tool':
        append('user', [toolResult(message, where)]);
        break;
      default:
        throw invalid(
          `${where}: the "${message.role}" role is not supported by Anthropic models; use tools and tool messages.`,
          `${where}.role`,
        );
    }
  });
  return { system, messages: turns.map(toolResultsFirst) };
}

/** Anthropic rejects empty text blocks, so empty text is skipped. */
function contentBlocks(content: ChatMessage['content'], where: string, allow: { images: false }): AnthropicTextBlock[];
function contentBlocks(
  content: ChatMessage['content'],
  where: string,
  allow: { images: true },
): Array<AnthropicTextBlock | AnthropicImageBlock>;
function contentBlocks(
  content: ChatMessage['content'],
  where: string,
  allow: { images: boolean },
): Array<AnthropicTextBlock | AnthropicImageBlock> {
  if (typeof content === 'string') return content ? [{ type: 'text', text: content }] : [];
  if (!Array.isArray(content)) return [];
  return content.flatMap((part, j): Array<AnthropicTextBlock | AnthropicImageBlock> => {
    const at = `${where}.content[${j}]`;
    if (part.type === 'text' && typeof part.text === 'string')
      return part.text ? [{ type: 'text', text: part.text }] : [];
    if (part.type === 'image_url' && allow.images)
      return [imageBlock((part.image_url as { url?: unknown } | undefined)?.url, at)];
    throw invalid(`${at}: "${part.type}" content is not supported here by Anthropic models.`, at);
  });
}

function imageBlock(url: unknown, where: string): AnthropicImageBlock {
  const dataUrl = typeof url === 'string' ? /^data:([^;,]+);base64,(.*)$/s.exec(url) : null;
  if (dataUrl)
    return { type: 'image', source: { type: 'base64', media_type: dataUrl[1].toLowerCase(), data: dataUrl[2] } };
  if (typeof url === 'string' && /^https?:\/\//i.test(url)) return { type: 'image', source: { type: 'url', url } };
  throw invalid(`${where}: an image must be an http(s) URL or a base64 data: URL.`, `${where}.image_url.url`);
}

function toolUse(call: ToolCall): AnthropicToolUseBlock {
  return { type: 'tool_use', id: call.id, name: call.function.name, input: parseToolInput(call.function.arguments) };
}

/** Anthropic wants the input as an object; arguments a model left empty or cut off become `{}`. */
function parseToolInput(json: string): Record<string, unknown> {
  try {
    const input: unknown = JSON.parse(json);
    return input !== null && typeof input === 'object' && !Array.isArray(input)
      ? (input as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

function toolResult(message: ChatMessage, where: string): AnthropicToolResultBlock {
  if (typeof message.tool_call_id !== 'string')
    throw invalid(`${where}: a tool message needs "tool_call_id".`, `${where}.tool_call_id`);
  const content =
    typeof message.content === 'string' ? message.content : contentBlocks(message.content, where, { images: true });
  return { type: 'tool_result', tool_use_id: message.tool_call_id, ...(content.length > 0 ? { content } : {}) };
}

function toolResultsFirst(turn: AnthropicMessage): AnthropicMessage {
  if (turn.role !== 'user') return turn;
  const results = turn.content.filter((block) => block.type === 'tool_result');
  return { role: 'user', content: [...results, ...turn.content.filter((block) => block.type !== 'tool_result')] };
}

function stopSequences(stop: ChatCompletionRequest['stop']): Pick<AnthropicRequest, 'stop_sequences'> {
  const sequences = typeof stop === 'string' ? [stop] : (stop ?? []);
  return sequences.length > 0 ? { stop_sequences: sequences } : {};
}

function mapTool(tool: ToolDefinition, i: number): AnthropicTool {
  if (tool?.type !== 'function' || typeof tool.function?.name !== 'string') {
    throw invalid(`tools[${i}]: only function tools can be sent to Anthropic models.`, `tools[${i}]`);
  }
  const { name, description, parameters } = tool.function;
  return {
    name,
    ...(description ? { description } : {}),
    input_schema: parameters ?? { type: 'object', properties: {} },
  };
}

/** `'unsupported'` for a tool_choice form Anthropic has no equivalent for (it then chooses freely). */
function toolChoice(choice: unknown, sequential: boolean): AnthropicToolChoice | undefined | 'unsupported' {
  const mapped = baseToolChoice(choice);
  if (!sequential || mapped === 'unsupported' || mapped?.type === 'none') return mapped;
  return { ...(mapped ?? { type: 'auto' }), disable_parallel_tool_use: true };
}

function baseToolChoice(choice: unknown): AnthropicToolChoice | undefined | 'unsupported' {
  if (choice === undefined || choice === null) return undefined;
  if (choice === 'auto') return { type: 'auto' };
  if (choice === 'none') return { type: 'none' };
  if (choice === 'required') return { type: 'any' };
  const name = (choice as { function?: { name?: unknown } }).function?.name;
  return typeof name === 'string' ? { type: 'tool', name } : 'unsupported';
}

function invalid(message: string, param: string): GatewayError {
  return new GatewayError('invalid_request_error', message, { param });
}

import { forSlicesInTurns, GatewayError, isLongList, ITEM_TURNS, type ItemTurns } from '@app/common';
import type { CountTokensRequest, MessagesRequest } from './messages.types';

type Json = Record<string, unknown>;

const ROLES = new Set(['user', 'assistant', 'system']);
const TOOL_CHOICES = new Set(['auto', 'any', 'tool', 'none']);

/**
 * Checks a `POST /v1/messages` body for what the gateway and the translation rely on, and nothing more:
 * unknown fields and block types pass (they are named when dropped), so new SDK features never cause a 400
 * here. Errors name the field in Anthropic's dotted form (`messages.2.content.0.tool_use_id`) and say what
 * to send instead.
 */
export function parseMessagesRequest(body: unknown): MessagesRequest {
  return checkSettings(checkConversation(body));
}

/**
 * `parseMessagesRequest` without holding the event loop for long: a conversation of up to one slice of messages
 * (`ITEM_TURNS`) is checked at once; a longer one slice by slice, letting other requests run between turns
 * (200k messages take 3–25 ms in one call, the most while the code is cold). The same checks in the same order, so the same error.
 */
export async function parseMessagesRequestInTurns(
  body: unknown,
  turns: ItemTurns = ITEM_TURNS,
): Promise<MessagesRequest> {
  const messages = isObject(body) ? body.messages : undefined;
  if (!Array.isArray(messages) || !isLongList(messages.length, turns)) return parseMessagesRequest(body);
  const request = checkHead(body);
  await forSlicesInTurns(
    messages.length,
    (from, to) => {
      for (let i = from; i < to; i++) checkMessage(messages[i], i);
    },
    turns,
  );
  return checkSettings(checkTail(request));
}

/** Checks a `POST /v1/messages/count_tokens` body: a conversation as for `/v1/messages`, without `max_tokens`. */
export function parseCountTokensRequest(body: unknown): CountTokensRequest {
  return checkConversation(body) as CountTokensRequest;
}

function checkConversation(body: unknown): Json {
  const request = checkHead(body);
  checkMessages(request.messages);
  return checkTail(request);
}

/** What a conversation's checks look at before its messages. */
function checkHead(body: unknown): Json {
  if (!isObject(body))
    throw new GatewayError('invalid_request_error', 'The request body must be a JSON object.', { param: null });
  if (typeof body.model !== 'string' || body.model.trim() === '') {
    throw invalid('model', 'Field required: the name of a model from GET /v1/models (or an alias the gateway maps).');
  }
  checkSystem(body.system);
  return body;
}

/** What a conversation's checks look at after its messages. */
function checkTail(request: Json): Json {
  checkTools(request.tools);
  checkToolChoice(request.tool_choice);
  return request;
}

/** The generation settings of a `/v1/messages` request (count_tokens has none). */
function checkSettings(request: Json): MessagesRequest {
  const maxTokens = request.max_tokens;
  if (maxTokens === undefined || maxTokens === null) {
    throw invalid(
      'max_tokens',
      'Field required: the maximum number of tokens to generate, a positive integer such as 4096.',
    );
  }
  if (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens) || maxTokens < 1) {
    throw invalid('max_tokens', `must be a positive integer such as 4096 (got ${describe(maxTokens)}).`);
  }
  if (request.stream !== undefined && typeof request.stream !== 'boolean') {
    throw invalid('stream', `must be true or false (got ${describe(request.stream)}).`);
  }
  checkOptionalNumber(request, 'temperature');
  checkOptionalNumber(request, 'top_p');
  checkOptionalNumber(request, 'top_k');
  if (request.stop_sequences !== undefined && !isStringArray(request.stop_sequences)) {
    throw invalid('stop_sequences', 'must be an array of strings, such as ["\\n\\nHuman:"].');
  }
  return request as MessagesRequest;
}

function checkSystem(system: unknown): void {
  if (system === undefined || typeof system === 'string') return;
  if (!Array.isArray(system))
    throw invalid('system', 'must be a string or an array of text blocks ({"type": "text", "text": "…"}).');
  system.forEach((block, i) => checkTextBlock(block, `system.${i}`));
}

function checkMessages(messages: unknown): void {
  if (!Array.isArray(messages) || messages.length === 0) {
    throw invalid('messages', 'must be a non-empty array of {"role": "user" | "assistant", "content": …} messages.');
  }
  messages.forEach(checkMessage);
}

/** One message; its path (`messages.12`) is only spelt out for an error, as most messages pass. */
function checkMessage(message: unknown, i: number): void {
  if (!isObject(message)) throw invalid(`messages.${i}`, 'each message must be an object with "role" and "content".');
  if (typeof message.role !== 'string' || !ROLES.has(message.role)) {
    throw invalid(`messages.${i}.role`, `must be "user" or "assistant" (got ${describe(message.role)}).`);
  }
  const content = message.content;
  if (typeof content === 'string') return;
  if (!Array.isArray(content))
    throw invalid(`messages.${i}.content`, 'must be a string or an array of content blocks.');
  content.forEach((block, j) =>
    message.role === 'system'
      ? checkTextBlock(block, `messages.${i}.content.${j}`)
      : checkBlock(block, `messages.${i}.content.${j}`),
  );
}

function checkBlock(block: unknown, path: string): void {
  if (!isObject(block) || typeof block.type !== 'string')
    throw invalid(path, 'each content block must be an object with a "type", such as {"type": "text", "text": "…"}.');
  switch (block.type) {
    case 'text':
      return checkTextBlock(block, path);
    case 'image':
    case 'document':
      if (!isObject(block.source) || typeof block.source.type !== 'string') {
        throw invalid(
          `${path}.source`,
          `an ${block.type} block needs a "source" such as {"type": "base64", "media_type": "image/png", "data": "…"} or {"type": "url", "url": "…"}.`,
        );
      }
      return;
    case 'tool_use':
      if (typeof block.id !== 'string' || block.id === '')
        throw invalid(`${path}.id`, 'a tool_use block needs the "id" its tool_result will answer.');
      if (typeof block.name !== 'string' || block.name === '')
        throw invalid(`${path}.name`, 'a tool_use block needs the "name" of the tool it calls.');
      return;
    case 'tool_result':
      return checkToolResult(block, path);
    default:
      return;
  }
}

function checkToolResult(block: Json, path: string): void {
  if (typeof block.tool_use_id !== 'string' || block.tool_use_id === '') {
    throw invalid(
      `${path}.tool_use_id`,
      'a tool_result block needs the "tool_use_id" of the tool_use block it answers.',
    );
  }
  const content = block.content;
  if (content === undefined || content === null || typeof content === 'string') return;
  if (!Array.isArray(content)) throw invalid(`${path}.content`, 'must be a string or an array of content blocks.');
  content.forEach((inner, k) => checkBlock(inner, `${path}.content.${k}`));
}

function checkTextBlock(block: unknown, path: string): void {
  if (!isObject(block) || block.type !== 'text' || typeof block.text !== 'string') {
    throw invalid(path, 'must be a text block: {"type": "text", "text": "…"}.');
  }
}

function checkTools(tools: unknown): void {
  if (tools === undefined) return;
  if (!Array.isArray(tools))
    throw invalid('tools', 'must be an array of tools: {"name", "description", "input_schema"}.');
  tools.forEach((tool, i) => {
    const path = `tools.${i}`;
    if (!isObject(tool) || typeof tool.name !== 'string' || tool.name === '')
      throw invalid(`${path}.name`, 'each tool needs a "name".');
    const custom = tool.type === undefined || tool.type === null || tool.type === 'custom';
    if (custom && !isObject(tool.input_schema)) {
      throw invalid(
        `${path}.input_schema`,
        `tool "${tool.name}" needs an "input_schema", a JSON Schema object such as {"type": "object", "properties": {}}.`,
      );
    }
  });
}

function checkToolChoice(choice: unknown): void {
  if (choice === undefined) return;
  if (!isObject(choice) || typeof choice.type !== 'string' || !TOOL_CHOICES.has(choice.type)) {
    throw invalid(
      'tool_choice',
      'must be {"type": "auto"}, {"type": "any"}, {"type": "none"} or {"type": "tool", "name": "…"}.',
    );
  }
  if (choice.type === 'tool' && (typeof choice.name !== 'string' || choice.name === '')) {
    throw invalid('tool_choice.name', '{"type": "tool"} needs the "name" of the tool to call.');
  }
}

function checkOptionalNumber(request: Json, field: string): void {
  const value = request[field];
  if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value))) {
    throw invalid(field, `must be a number (got ${describe(value)}).`);
  }
}

function invalid(param: string, message: string): GatewayError {
  return new GatewayError('invalid_request_error', `${param}: ${message}`, { param });
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return `a value of type ${typeof value}`;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/**
 * The request checks of FakeAnthropicServer: each rule is one the real Messages API enforces with a 400
 * `invalid_request_error`, worded as closely as known (messages quoted from real errors where the wire
 * doc has them). `validateMessagesRequest` returns the error message, or undefined for a valid request.
 */

export interface ValidationOptions {
  /** Reject a first message that is not `user` (unverified for current models; strict by default). */
  requireUserFirst: boolean;
  /** Reject two turns of one role in a row (the API may merge them; strict by default). */
  requireAlternation: boolean;
}

type Json = Record<string, unknown>;

const REQUEST_KEYS = new Set([
  'model',
  'messages',
  'max_tokens',
  'system',
  'stop_sequences',
  'stream',
  'temperature',
  'top_p',
  'top_k',
  'tools',
  'tool_choice',
  'thinking',
  'metadata',
  'service_tier',
  'container',
  'mcp_servers',
  'output_config',
  'cache_control',
  'context_management',
  'inference_geo',
]);
const BLOCK_TYPES = new Set(['text', 'image', 'document', 'tool_use', 'tool_result', 'thinking', 'redacted_thinking']);
const ASSISTANT_ONLY = new Set(['tool_use', 'thinking', 'redacted_thinking']);
const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,128}$/;
const MIN_THINKING_BUDGET = 1024;
const THINKING_TYPES = ['enabled', 'disabled', 'adaptive'];
const THINKING_DISPLAYS = ['summarized', 'omitted'];

class Rejection extends Error {}

function reject(message: string): never {
  throw new Rejection(message);
}

export function validateMessagesRequest(body: unknown, options: ValidationOptions): string | undefined {
  try {
    checkRequest(body, options);
    return undefined;
  } catch (error) {
    if (error instanceof Rejection) return error.message;
    throw error;
  }
}

function checkRequest(body: unknown, options: ValidationOptions): void {
  if (!isObject(body))
    reject('There was an error parsing the body of your request. Please check that it is valid JSON.');
  for (const key of Object.keys(body)) if (!REQUEST_KEYS.has(key)) reject(`${key}: Extra inputs are not permitted`);
  if (typeof body.model !== 'string' || !body.model) reject('model: Field required');
  if (body.max_tokens === undefined) reject('max_tokens: Field required');
  if (!Number.isInteger(body.max_tokens) || (body.max_tokens as number) < 1)
    reject('max_tokens: Input should be a valid integer greater than or equal to 1');
  checkRange(body, 'temperature');
  checkRange(body, 'top_p');
  if (
    body.stop_sequences !== undefined &&
    !(Array.isArray(body.stop_sequences) && body.stop_sequences.every((s) => typeof s === 'string'))
  ) {
    reject('stop_sequences: Input should be a valid list of strings');
  }
  checkSystem(body.system);
  checkMetadata(body.metadata);
  const toolNames = checkTools(body.tools);
  checkToolChoice(body.tool_choice, toolNames);
  checkMessages(body.messages, options);
  checkThinking(body);
}

function checkRange(body: Json, key: string): void {
  const value = body[key];
  if (value === undefined) return;
  if (typeof value !== 'number') reject(`${key}: Input should be a valid number`);
  if (value < 0) reject(`${key}: Input should be greater than or equal to 0`);
  if (value > 1) reject(`${key}: Input should be less than or equal to 1`);
}

function checkSystem(system: unknown): void {
  if (system === undefined || typeof system === 'string') return;
  if (!Array.isArray(system)) reject('system: Input should be a valid string or list of text blocks');
  system.forEach((block, i) => {
    if (!isObject(block) || block.type !== 'text') reject(`system.${i}.type: Input should be 'text'`);
    if (typeof block.text !== 'string' || !block.text)
      reject(`system.${i}.text: text content blocks must be non-empty`);
  });
}

function checkMetadata(metadata: unknown): void {
  if (metadata === undefined) return;
  if (!isObject(metadata)) reject('metadata: Input should be a valid dictionary');
  for (const key of Object.keys(metadata))
    if (key !== 'user_id') reject(`metadata.${key}: Extra inputs are not permitted`);
  if (metadata.user_id !== undefined && metadata.user_id !== null && typeof metadata.user_id !== 'string')
    reject('metadata.user_id: Input should be a valid string');
}

function checkTools(tools: unknown): Set<string> {
  const names = new Set<string>();
  if (tools === undefined) return names;
  if (!Array.isArray(tools)) reject('tools: Input should be a valid list');
  tools.forEach((tool, i) => {
    if (!isObject(tool) || typeof tool.name !== 'string' || !TOOL_NAME.test(tool.name))
      reject(`tools.${i}.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'`);
    if (!isObject(tool.input_schema)) reject(`tools.${i}.custom.input_schema: Field required`);
    if (tool.input_schema.type !== 'object') reject(`tools.${i}.custom.input_schema.type: Input should be 'object'`);
    if (names.has(tool.name)) reject('tools: Tool names must be unique.');
    names.add(tool.name);
  });
  return names;
}

function checkToolChoice(choice: unknown, toolNames: Set<string>): void {
  if (choice === undefined) return;
  if (!isObject(choice) || !['auto', 'any', 'tool', 'none'].includes(choice.type as string)) {
    reject(
      `tool_choice: Input tag '${String(isObject(choice) ? choice.type : choice)}' found using 'type' does not match any of the expected tags: 'auto', 'any', 'tool', 'none'`,
    );
  }
  if (toolNames.size === 0 && choice.type !== 'none')
    reject('tool_choice: tool_choice may only be specified while providing tools.');
  if (choice.type === 'tool' && !toolNames.has(choice.name as string))
    reject(`tool_choice: Tool '${String(choice.name)}' not found in provided tools`);
}

function checkMessages(messages: unknown, options: ValidationOptions): void {
  if (messages === undefined) reject('messages: Field required');
  if (!Array.isArray(messages)) reject('messages: Input should be a valid list');
  if (messages.length === 0) reject('messages: at least one message is required');
  let previous: { role: string; toolUseIds: string[] } | undefined;
  messages.forEach((message, i) => {
    if (!isObject(message)) reject(`messages.${i}: Input should be a valid dictionary`);
    const role = message.role;
    if (role !== 'user' && role !== 'assistant' && role !== 'system') {
      reject(`messages.${i}.role: Input should be 'user', 'assistant' or 'system'`);
    }
    if (i === 0 && role !== 'user' && options.requireUserFirst)
      reject('messages: first message must use the "user" role');
    if (role === 'system') {
      checkSystemMessage(message.content, i, previous?.toolUseIds ?? []);
      return;
    }
    if (previous?.role === role && options.requireAlternation) {
      reject(
        `messages: roles must alternate between "user" and "assistant", but found multiple "${role}" roles in a row`,
      );
    }
    const blocks = contentBlocks(message.content, i, i === messages.length - 1 && role === 'assistant');
    blocks.forEach((block, j) => checkBlock(block, `messages.${i}.content.${j}`, role));
    const resultIds = blocks
      .filter((block) => block.type === 'tool_result')
      .map((block) => block.tool_use_id as string);
    if (previous?.toolUseIds.length) {
      const missing = previous.toolUseIds.filter((id) => !resultIds.includes(id));
      if (missing.length > 0) rejectUnansweredToolUse(i - 1, missing);
    }
    resultIds.forEach((id, j) => {
      if (!previous?.toolUseIds.includes(id)) {
        reject(
          `messages.${i}.content.${j}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${id}. ` +
            'Each `tool_result` block must have a corresponding `tool_use` block in the previous message.',
        );
      }
    });
    const firstOther = blocks.findIndex((block) => block.type !== 'tool_result');
    if (firstOther !== -1 && firstOther < resultIds.length) {
      reject(`messages.${i}: \`tool_result\` blocks must come first in the message content, before any other content.`);
    }
    const toolUseIds = blocks.filter((block) => block.type === 'tool_use').map((block) => block.id as string);
    if (new Set(toolUseIds).size !== toolUseIds.length) reject(`messages.${i}: \`tool_use\` ids must be unique`);
    previous = { role, toolUseIds };
  });
}

/**
 * A mid-conversation system message (`SystemMessageParam`: string or text blocks, as Claude Code sends them
 * between turns). It stands outside the user/assistant alternation, but cannot come between a `tool_use` and
 * its `tool_result`s.
 */
function checkSystemMessage(content: unknown, i: number, openToolUseIds: string[]): void {
  contentBlocks(content, i, false).forEach((block, j) => {
    if (block.type !== 'text') reject(`messages.${i}.content.${j}.type: Input should be 'text'`);
    checkBlock(block, `messages.${i}.content.${j}`, 'system');
  });
  if (openToolUseIds.length > 0) rejectUnansweredToolUse(i - 1, openToolUseIds);
}

function rejectUnansweredToolUse(i: number, ids: string[]): never {
  reject(
    `messages.${i}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${ids.join(', ')}. ` +
      'Each `tool_use` block must have a corresponding `tool_result` block in the next message.',
  );
}

/** A message's content as blocks; only the final assistant turn (a prefill) may be empty. */
function contentBlocks(content: unknown, i: number, mayBeEmpty: boolean): Json[] {
  const empty = content === '' || (Array.isArray(content) && content.length === 0);
  if (empty && !mayBeEmpty)
    reject(`messages.${i}: all messages must have non-empty content except for the optional final assistant message`);
  if (typeof content === 'string') return content ? [{ type: 'text', text: content }] : [];
  if (!Array.isArray(content))
    reject(`messages.${i}.content: Input should be a valid string or list of content blocks`);
  return content.map((block, j) =>
    isObject(block) ? block : reject(`messages.${i}.content.${j}: Input should be a valid dictionary`),
  );
}

function checkBlock(block: Json, at: string, role: string): void {
  const type = block.type as string;
  if (!BLOCK_TYPES.has(type)) {
    reject(
      `${at}: Input tag '${type}' found using 'type' does not match any of the expected tags: ${[...BLOCK_TYPES].map((t) => `'${t}'`).join(', ')}`,
    );
  }
  if (ASSISTANT_ONLY.has(type) && role !== 'assistant')
    reject(`${at}: \`${type}\` blocks can only be in \`assistant\` messages`);
  if (type === 'tool_result' && role !== 'user')
    reject(`${at}: \`tool_result\` blocks can only be in \`user\` messages`);
  if (type === 'text' && (typeof block.text !== 'string' || !block.text))
    reject(`${at}.text: text content blocks must be non-empty`);
  if (type === 'image') checkImage(block.source, at);
  if (type === 'tool_use') {
    if (typeof block.id !== 'string' || !/^[a-zA-Z0-9_-]+$/.test(block.id))
      reject(`${at}.id: String should match pattern '^[a-zA-Z0-9_-]+$'`);
    if (typeof block.name !== 'string' || !block.name) reject(`${at}.name: Field required`);
    if (!isObject(block.input)) reject(`${at}.input: Input should be a valid dictionary`);
  }
  if (type === 'tool_result') {
    if (typeof block.tool_use_id !== 'string') reject(`${at}.tool_use_id: Field required`);
    if (Array.isArray(block.content)) {
      block.content.forEach((inner, k) => {
        if (!isObject(inner) || !['text', 'image', 'document'].includes(inner.type as string))
          reject(`${at}.content.${k}: Input tag does not match any of the expected tags`);
        checkBlock(inner, `${at}.content.${k}`, role);
      });
    } else if (block.content !== undefined && typeof block.content !== 'string') {
      reject(`${at}.content: Input should be a valid string or list of content blocks`);
    }
  }
}

function checkImage(source: unknown, at: string): void {
  if (!isObject(source)) reject(`${at}.source: Field required`);
  if (source.type === 'base64') {
    if (!IMAGE_TYPES.has(source.media_type as string))
      reject(`${at}.source.base64.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'`);
    if (typeof source.data !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(source.data))
      reject(`${at}.source.base64.data: The image data is not valid base64.`);
  } else if (source.type === 'url') {
    if (typeof source.url !== 'string' || !/^https?:\/\//.test(source.url))
      reject(`${at}.source.url.url: Only HTTP and HTTPS URLs are supported.`);
  } else {
    reject(
      `${at}.source: Input tag '${String(source.type)}' found using 'type' does not match any of the expected tags: 'base64', 'url', 'file'`,
    );
  }
}

/**
 * Extended thinking's own constraints. `adaptive` (the model decides whether and how much to think, with an
 * optional `display`) has no budget and may answer a tool result without thinking first; the sampling and
 * forced-tool rules hold for it as for `enabled`.
 */
function checkThinking(body: Json): void {
  const thinking = body.thinking;
  if (thinking === undefined) return;
  if (!isObject(thinking) || !THINKING_TYPES.includes(thinking.type as string)) {
    reject(
      `thinking: Input tag does not match any of the expected tags: ${THINKING_TYPES.map((t) => `'${t}'`).join(', ')}`,
    );
  }
  if (thinking.type === 'disabled') return;
  if (thinking.type === 'adaptive') {
    if (
      thinking.display !== undefined &&
      thinking.display !== null &&
      !THINKING_DISPLAYS.includes(thinking.display as string)
    ) {
      reject("thinking.adaptive.display: Input should be 'summarized' or 'omitted'");
    }
  } else {
    const budget = thinking.budget_tokens;
    if (!Number.isInteger(budget) || (budget as number) < MIN_THINKING_BUDGET)
      reject('thinking.enabled.budget_tokens: Input should be greater than or equal to 1024');
    if ((budget as number) >= (body.max_tokens as number))
      reject('`max_tokens` must be greater than `thinking.budget_tokens`.');
  }
  if (body.temperature !== undefined && body.temperature !== 1)
    reject('`temperature` may only be set to 1 when thinking is enabled.');
  if (typeof body.top_p === 'number' && body.top_p < 0.95)
    reject('`top_p` must be greater than or equal to 0.95 or unset when thinking is enabled.');
  if (body.top_k !== undefined) reject('`top_k` must be unset when thinking is enabled.');
  const choice = body.tool_choice as Json | undefined;
  if (choice?.type === 'any' || choice?.type === 'tool')
    reject('Thinking may not be enabled when tool_choice forces tool use.');
  if (thinking.type === 'adaptive') return;
  // Continuing a tool loop needs the assistant turn's own (signed) thinking block first.
  const messages = body.messages as Json[];
  const last = messages.at(-1);
  const lastBlocks = Array.isArray(last?.content) ? (last.content as Json[]) : [];
  if (last?.role === 'user' && lastBlocks[0]?.type === 'tool_result') {
    const assistant = messages.at(-2);
    const first = Array.isArray(assistant?.content) ? (assistant.content as Json[])[0] : undefined;
    if (first?.type !== 'thinking' && first?.type !== 'redacted_thinking') {
      const found: unknown = first?.type ?? 'text';
      reject(
        `messages.${messages.length - 2}.content.0.type: Expected \`thinking\` or \`redacted_thinking\`, but found \`${String(found)}\`. ` +
          'When `thinking` is enabled, a final `assistant` message must start with a thinking block.',
      );
    }
  }
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

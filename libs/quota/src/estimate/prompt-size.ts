import { forSlicesInTurns, isLongList, ITEM_TURNS, type ItemTurns } from '@app/common';

/**
 * Sizes a request's prompt before it is sent, for two different needs:
 *
 * - `promptTokenBound` is for money: it must never be below what the provider will bill. Every token of
 *   a byte-level BPE tokenizer (OpenAI, Anthropic, Gemini, Llama, …) covers at least one byte of text, so
 *   the UTF-8 byte count bounds the text's tokens from above; chat framing and images get fixed allowances.
 * - `promptTokenEstimate` is for tokens-per-minute limits, where a fair guess beats a bound: about four
 *   bytes per token, OpenAI's own rule of thumb for English text.
 *
 * Inline file and audio data (base64) count as text, a generous bound for both needs.
 */
export interface PromptSize {
  /** UTF-8 bytes of prompt text: message contents, system prompt, tool definitions, schemas. */
  textBytes: number;
  /** Tokens given as token ids (embeddings input), counted exactly. */
  tokenIds: number;
  messages: number;
  images: number;
}

/** Role markers and separators per chat message (OpenAI uses 3, plus 3 to prime the reply). */
const TOKENS_PER_MESSAGE = 4;
const TOKENS_PER_REPLY = 3;
/** The most any major provider bills for one image input (OpenAI's patch-based models: ~2 500). */
const TOKENS_PER_IMAGE = 2_500;
const BYTES_PER_TOKEN_ESTIMATE = 4;

export function promptTokenBound(size: PromptSize): number {
  return size.textBytes + size.tokenIds + framing(size);
}

export function promptTokenEstimate(size: PromptSize): number {
  return Math.ceil(size.textBytes / BYTES_PER_TOKEN_ESTIMATE) + size.tokenIds + framing(size);
}

/**
 * Measures a request in any inbound API's shape, as the rate limiter sees it before parsing: chat and
 * Anthropic messages (`messages`, `system`, `tools`, …), Responses (`instructions`, `input` items, `tools`) or
 * embeddings (`input`).
 */
export function measurePrompt(body: unknown): PromptSize {
  const size = emptySize();
  if (!isRecord(body)) return size;
  for (const list of promptLists(body)) for (const item of list.items) list.add(size, item);
  addOutsideLists(size, body);
  return size;
}

/**
 * `measurePrompt` without holding the event loop for long: a request of up to one slice of messages or input
 * items (`ITEM_TURNS`) is measured at once; a longer one slice by slice, letting other requests run between
 * turns (the rate limiter and the reservation each measure a request; 200k messages take 5–6 ms in one call,
 * tens of ms while the code is still cold). The same sums.
 */
export async function measurePromptInTurns(body: unknown, turns: ItemTurns = ITEM_TURNS): Promise<PromptSize> {
  const lists = isRecord(body) ? promptLists(body) : [];
  const length = lists.reduce((items, list) => items + list.items.length, 0);
  if (!isLongList(length, turns)) return measurePrompt(body);
  const size = emptySize();
  for (const { items, add } of lists) {
    await forSlicesInTurns(
      items.length,
      (from, to) => {
        for (let i = from; i < to; i++) add(size, items[i]);
      },
      turns,
    );
  }
  addOutsideLists(size, body as Record<string, unknown>);
  return size;
}

/** A list that may grow long (chat or Anthropic messages, Responses input items), and how to measure one item. */
interface PromptList {
  items: unknown[];
  add: (size: PromptSize, item: unknown) => void;
}

function promptLists(body: Record<string, unknown>): PromptList[] {
  const lists: PromptList[] = [];
  if (Array.isArray(body.messages)) lists.push({ items: body.messages, add: addMessage });
  if (isResponsesInput(body.input)) lists.push({ items: body.input, add: addResponsesItem });
  return lists;
}

/** Everything measured outside the lists: system prompt, tools, schemas, embeddings input, instructions. */
function addOutsideLists(size: PromptSize, body: Record<string, unknown>): void {
  if (Array.isArray(body.messages)) {
    addContent(size, body.system);
    for (const field of ['tools', 'functions', 'response_format'] as const) {
      if (body[field] !== undefined && body[field] !== null) size.textBytes += jsonBytes(body[field]);
    }
  }
  if (isResponsesInput(body.input)) {
    if (body.tools !== undefined && body.tools !== null) size.textBytes += jsonBytes(body.tools);
  } else addEmbeddingsInput(size, body.input);
  if (typeof body.instructions === 'string') size.textBytes += Buffer.byteLength(body.instructions, 'utf8');
}

/**
 * The output the client asked for at most (`max_completion_tokens`, `max_tokens` or Responses'
 * `max_output_tokens`, times `n` choices), or undefined when it set no cap.
 */
export function requestedOutputTokens(body: unknown): number | undefined {
  if (!isRecord(body)) return undefined;
  const cap = [body.max_completion_tokens, body.max_tokens, body.max_output_tokens].find((value) => isCount(value));
  if (cap === undefined) return undefined;
  return cap * choices(body);
}

/** How many choices the request asks for (`n`); each is a full output. */
export function choices(body: unknown): number {
  return isRecord(body) && isCount(body.n) && body.n > 0 ? body.n : 1;
}

function emptySize(): PromptSize {
  return { textBytes: 0, tokenIds: 0, messages: 0, images: 0 };
}

function framing(size: PromptSize): number {
  const chat = size.messages > 0 ? size.messages * TOKENS_PER_MESSAGE + TOKENS_PER_REPLY : 0;
  return chat + size.images * TOKENS_PER_IMAGE;
}

function addContent(size: PromptSize, content: unknown): void {
  if (typeof content === 'string') {
    size.textBytes += Buffer.byteLength(content, 'utf8');
    return;
  }
  if (!Array.isArray(content)) return;
  for (const part of content) {
    if (isRecord(part) && part.type === 'text' && typeof part.text === 'string')
      size.textBytes += Buffer.byteLength(part.text, 'utf8');
    else if (isRecord(part) && (part.type === 'image_url' || part.type === 'image')) size.images++;
    else size.textBytes += jsonBytes(part);
  }
}

function addMessage(size: PromptSize, message: unknown): void {
  size.messages++;
  if (!isRecord(message)) return;
  addContent(size, message.content);
  // Named reads, not a loop over field names: keyed reads cost a third of the time on 200k messages.
  if (message.name !== undefined) size.textBytes += jsonBytes(message.name);
  if (message.tool_calls !== undefined) size.textBytes += jsonBytes(message.tool_calls);
  if (message.function_call !== undefined) size.textBytes += jsonBytes(message.function_call);
}

/** Responses input items (not embeddings input): each is a message, a tool call or a tool output. */
function isResponsesInput(input: unknown): input is unknown[] {
  return Array.isArray(input) && input.some(isRecord);
}

/** A Responses input item: a message's content, or any other item's JSON, which bounds its text. */
function addResponsesItem(size: PromptSize, item: unknown): void {
  size.messages++;
  if (isRecord(item) && item.type === undefined && 'content' in item) addContent(size, item.content);
  else size.textBytes += jsonBytes(item);
}

function addEmbeddingsInput(size: PromptSize, input: unknown): void {
  if (typeof input === 'string') size.textBytes += Buffer.byteLength(input, 'utf8');
  else if (Array.isArray(input)) {
    for (const item of input) {
      if (typeof item === 'number') size.tokenIds++;
      else if (typeof item === 'string') size.textBytes += Buffer.byteLength(item, 'utf8');
      else if (Array.isArray(item)) size.tokenIds += item.length;
    }
  }
}

function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

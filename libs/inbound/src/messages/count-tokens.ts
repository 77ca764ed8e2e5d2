import type { ContentBlockParam, CountTokensRequest, ToolParam } from './messages.types';

/**
 * `POST /v1/messages/count_tokens` answered locally, for models not served by Anthropic (Anthropic upstreams
 * count for themselves). Text is counted with OpenAI's o200k_base BPE (gpt-tokenizer, pure JS, its ranks
 * bundled in the package: nothing is downloaded): exact for the GPT-4o/4.1/5 family these requests are then
 * served by, an approximation for other models (Claude's own tokenizer typically counts somewhat more for the
 * same text; Gemini's differs too). What no text tokenizer can count is a documented constant below.
 */

/** Role and turn markers around each message (OpenAI's chat format spends 3). */
const PER_MESSAGE = 3;
/** The priming of the answer that every request pays once. */
const PER_REQUEST = 3;
/** An image, whatever its size: Anthropic bills about (width × height) / 750, at most ~1,600 for a full-size image. */
const PER_IMAGE = 1_600;
/** A PDF or other non-text document, whose pages cannot be counted here: about one dense page. */
const PER_DOCUMENT = 1_500;
/** Framing of one tool definition around its name, description and schema. */
const PER_TOOL = 8;
/** The tool-use instructions Anthropic adds to the system prompt when tools are present (346 on Claude 4 models). */
const TOOL_USE_PROMPT = 346;

/** Special-token lookalikes such as "<|endoftext|>" in a prompt are counted as the plain text they are. */
const AS_PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

type CountTokens = (typeof import('gpt-tokenizer/cjs/encoding/o200k_base'))['countTokens'];

/** Set by the first count: o200k's ranks take ~70 MB of memory, which a gateway that never counts should not pay. */
let countTokens: CountTokens | undefined;
let loading: Promise<CountTokens> | undefined;

/** Loads the tokenizer once; `estimateInputTokens` needs it loaded. */
export async function loadTokenCounter(): Promise<void> {
  loading ??= import('gpt-tokenizer/cjs/encoding/o200k_base').then((o200k) => (countTokens = o200k.countTokens));
  await loading;
}

/** The request's input tokens; `loadTokenCounter()` must have resolved before. */
export function estimateInputTokens(request: CountTokensRequest): number {
  if (!countTokens) throw new Error('estimateInputTokens: await loadTokenCounter() first');
  let total = PER_REQUEST;
  if (typeof request.system === 'string') total += textTokens(request.system);
  else for (const block of request.system ?? []) total += textTokens(block.text);
  for (const message of request.messages) {
    total += PER_MESSAGE;
    total += typeof message.content === 'string' ? textTokens(message.content) : blocksTokens(message.content);
  }
  const tools = request.tools ?? [];
  if (tools.length > 0) total += TOOL_USE_PROMPT + tools.reduce((sum, tool) => sum + toolTokens(tool), 0);
  return total;
}

function blocksTokens(blocks: readonly ContentBlockParam[]): number {
  return blocks.reduce((sum, block) => sum + blockTokens(block), 0);
}

function blockTokens(block: ContentBlockParam): number {
  switch (block.type) {
    case 'text':
      return textTokens(block.text);
    case 'image':
      return PER_IMAGE;
    case 'document': {
      const source = block.source;
      const title = block.title ? textTokens(block.title) : 0;
      if (source.type === 'text') return title + textTokens(source.data);
      if (source.type === 'content')
        return title + (typeof source.content === 'string' ? textTokens(source.content) : blocksTokens(source.content));
      return title + PER_DOCUMENT;
    }
    case 'thinking':
      return textTokens(block.thinking);
    case 'redacted_thinking':
      return 0;
    case 'tool_use':
      return textTokens(block.name) + textTokens(JSON.stringify(block.input ?? {}));
    case 'tool_result':
      return typeof block.content === 'string' ? textTokens(block.content) : blocksTokens(block.content ?? []);
    default:
      // A block type this gateway does not know: its JSON is a fair stand-in for what the model reads.
      return textTokens(JSON.stringify(block));
  }
}

function toolTokens(tool: ToolParam): number {
  const isClientTool = tool.type === undefined || tool.type === null || tool.type === 'custom';
  if (!isClientTool) return PER_TOOL + textTokens(JSON.stringify(tool));
  return (
    PER_TOOL +
    textTokens(tool.name) +
    textTokens(tool.description ?? '') +
    textTokens(JSON.stringify(tool.input_schema ?? {}))
  );
}

function textTokens(text: string): number {
  return text === '' ? 0 : countTokens!(text, AS_PLAIN_TEXT);
}

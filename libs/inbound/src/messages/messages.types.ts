/**
 * The Anthropic Messages API (`POST /v1/messages`, version 2023-06-01) as clients speak it: the fields the
 * gateway reads or writes, after @anthropic-ai/sdk `resources/messages`. Anything else a client sends stays
 * on the objects untyped; new block types reach the translator as plain `{type}` objects and are named
 * when dropped.
 */

export interface CacheControl {
  type: 'ephemeral';
  ttl?: '5m' | '1h';
}

export interface TextBlockParam {
  type: 'text';
  text: string;
  cache_control?: CacheControl | null;
}

export type ImageSource =
  | { type: 'base64'; media_type: string; data: string }
  | { type: 'url'; url: string }
  | { type: 'file'; file_id: string };

export interface ImageBlockParam {
  type: 'image';
  source: ImageSource;
  cache_control?: CacheControl | null;
}

export type DocumentSource =
  | { type: 'text'; media_type: 'text/plain'; data: string }
  | { type: 'content'; content: string | Array<TextBlockParam | ImageBlockParam> }
  | { type: 'base64'; media_type: string; data: string }
  | { type: 'url'; url: string }
  | { type: 'file'; file_id: string };

export interface DocumentBlockParam {
  type: 'document';
  source: DocumentSource;
  title?: string | null;
  context?: string | null;
  cache_control?: CacheControl | null;
}

export interface ThinkingBlockParam {
  type: 'thinking';
  thinking: string;
  signature: string;
}

export interface RedactedThinkingBlockParam {
  type: 'redacted_thinking';
  data: string;
}

export interface ToolUseBlockParam {
  type: 'tool_use';
  id: string;
  name: string;
  input: unknown;
  cache_control?: CacheControl | null;
}

export type ToolResultContentBlock = TextBlockParam | ImageBlockParam | DocumentBlockParam;

export interface ToolResultBlockParam {
  type: 'tool_result';
  tool_use_id: string;
  content?: string | ToolResultContentBlock[];
  is_error?: boolean;
  cache_control?: CacheControl | null;
}

export type ContentBlockParam =
  | TextBlockParam
  | ImageBlockParam
  | DocumentBlockParam
  | ThinkingBlockParam
  | RedactedThinkingBlockParam
  | ToolUseBlockParam
  | ToolResultBlockParam;

export interface MessageParam {
  /** `system` is new in the SDK's types (a system turn inside the conversation); the top-level `system` is the portable form. */
  role: 'user' | 'assistant' | 'system';
  content: string | ContentBlockParam[];
}

/** A client tool (`type` absent or `custom`), or a server tool such as `web_search_20250305` that only Anthropic runs. */
export interface ToolParam {
  name: string;
  type?: string | null;
  description?: string;
  input_schema?: Record<string, unknown>;
  cache_control?: CacheControl | null;
  [extra: string]: unknown;
}

export type ToolChoice =
  | { type: 'auto'; disable_parallel_tool_use?: boolean }
  | { type: 'any'; disable_parallel_tool_use?: boolean }
  | { type: 'tool'; name: string; disable_parallel_tool_use?: boolean }
  | { type: 'none' };

export type ThinkingConfig =
  | { type: 'enabled'; budget_tokens: number }
  | { type: 'disabled' }
  | { type: 'adaptive' }
  | { type: string; [extra: string]: unknown };

export interface OutputConfig {
  effort?: string | null;
  format?: { type: 'json_schema'; schema: Record<string, unknown> } | null;
}

/** What `POST /v1/messages/count_tokens` takes: a conversation without the generation settings. */
export interface CountTokensRequest {
  model: string;
  messages: MessageParam[];
  system?: string | TextBlockParam[];
  tools?: ToolParam[];
  tool_choice?: ToolChoice;
  thinking?: ThinkingConfig;
  [extra: string]: unknown;
}

export interface MessagesRequest extends CountTokensRequest {
  max_tokens: number;
  stream?: boolean;
  stop_sequences?: string[];
  temperature?: number;
  top_p?: number;
  top_k?: number;
  metadata?: { user_id?: string | null };
  output_config?: OutputConfig;
}

// Responses.

export type StopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'pause_turn' | 'refusal';

export interface TextBlock {
  type: 'text';
  text: string;
}

/** A thinking block translated from another provider's reasoning has an empty signature: there is nothing to sign it with. */
export interface ThinkingBlock {
  type: 'thinking';
  thinking: string;
  signature: string;
}

export interface ToolUseBlock {
  type: 'tool_use';
  id: string;
  name: string;
  input: Record<string, unknown>;
}

export type ContentBlock = TextBlock | ThinkingBlock | ToolUseBlock;

/** `input_tokens` excludes the cache reads and writes, which are counted apart. */
export interface MessagesUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

export interface Message {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: ContentBlock[];
  stop_reason: StopReason | null;
  stop_sequence: string | null;
  usage: MessagesUsage;
}

export interface CountTokensResponse {
  input_tokens: number;
}

// Stream events: each is written as `event: <type>` + `data: <json>`.

export type ContentBlockDelta =
  | { type: 'text_delta'; text: string }
  | { type: 'input_json_delta'; partial_json: string }
  | { type: 'thinking_delta'; thinking: string };

export type MessagesStreamEvent =
  | { type: 'message_start'; message: Message }
  | { type: 'content_block_start'; index: number; content_block: ContentBlock }
  | { type: 'content_block_delta'; index: number; delta: ContentBlockDelta }
  | { type: 'content_block_stop'; index: number }
  | { type: 'message_delta'; delta: { stop_reason: StopReason; stop_sequence: string | null }; usage: MessagesUsage }
  | { type: 'message_stop' }
  | { type: 'ping' }
  | MessagesErrorBody;

// Errors.

/** Anthropic's error types (SDK `ErrorType`, plus `request_too_large`, which Anthropic documents for 413). */
export type MessagesErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'billing_error'
  | 'permission_error'
  | 'not_found_error'
  | 'request_too_large'
  | 'rate_limit_error'
  | 'timeout_error'
  | 'api_error'
  | 'overloaded_error';

export interface MessagesErrorBody {
  type: 'error';
  error: { type: MessagesErrorType; message: string };
  request_id?: string | null;
}

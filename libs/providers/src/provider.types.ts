import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
  EmbeddingsRequest,
  EmbeddingsResponse,
  CancelSignal,
  ImageGenerationRequest,
  ImagesResponse,
  Usage,
} from '@app/common';

/** Per-call limits and the caller's cancellation, decided by routing. */
export interface UpstreamCallContext {
  requestId: string;
  /** Aborted when the client goes away or the request's total time runs out; `reason` says which. */
  signal: CancelSignal;
  /** Time allowed to open a new connection (reused keep-alive connections skip it). */
  connectMs: number;
  /** Time allowed until the upstream's response headers arrive. */
  ttfbMs: number;
  /** Longest silence allowed between two body chunks. */
  idleMs: number;
}

/** Which upstream model to call, and per-model settings an adapter may need. */
export interface ChatTarget {
  upstreamModel: string;
  /** Used when the wire format requires an output cap and the client sent none (Anthropic). */
  defaultMaxTokens?: number;
}

export interface ChatResult {
  body: ChatCompletion;
  usage: Usage | undefined;
  /** Request parameters the provider cannot honour and the adapter left out. */
  droppedParams: readonly string[];
}

/** One OpenAI chunk to send; `raw` is the upstream's own JSON text when it can be forwarded unchanged. */
export interface StreamEvent {
  chunk: ChatCompletionChunk;
  raw?: string;
}

export interface ChatStream extends AsyncIterable<StreamEvent> {
  droppedParams: readonly string[];
}

export interface EmbeddingsResult {
  body: EmbeddingsResponse;
}

/**
 * The client's Anthropic headers, forwarded unchanged on a native Messages call (names as on the wire). A
 * missing `anthropic-version` is the provider's configured one; a missing `anthropic-beta` is not sent.
 */
export interface NativeMessagesHeaders {
  'anthropic-version'?: string;
  /** Comma-separated, as the client sent it (join repeated headers with ","). */
  'anthropic-beta'?: string;
}

export interface NativeMessagesResult {
  /** The upstream's Messages API answer, parsed but otherwise as received (its own `model` name included). */
  body: unknown;
  /** OpenAI-shaped for the ledger: cache reads and writes count into `prompt_tokens`; undefined if none came. */
  usage: Usage | undefined;
}

/** One event of a native Messages stream, forwarded as received. */
export interface NativeMessagesEvent {
  /** The SSE event name (`message_start`, `content_block_delta`, `ping`, …). */
  event: string;
  /** The event's JSON text exactly as received. */
  data: string;
  /** The stream's usage so far, OpenAI-shaped, on events that carried usage (message_start, message_delta). */
  usage?: Usage;
  /** True for what the client would notice: a content block's start or delta, or a stop reason. */
  content: boolean;
}

/**
 * An upstream that speaks the Anthropic Messages API natively, so `/v1/messages` bodies pass through
 * untranslated: only `model` (and `stream`) change. Errors are `GatewayError`s as for chat.
 */
export interface NativeMessages {
  create(
    body: Record<string, unknown>,
    target: ChatTarget,
    context: UpstreamCallContext,
    headers: NativeMessagesHeaders,
  ): Promise<NativeMessagesResult>;
  /**
   * Resolves once the upstream accepted the request (2xx headers); events follow through iteration, which
   * throws a `GatewayError` for an `event: error` (not forwarded) or a stream cut before `message_stop`.
   */
  stream(
    body: Record<string, unknown>,
    target: ChatTarget,
    context: UpstreamCallContext,
    headers: NativeMessagesHeaders,
  ): Promise<AsyncIterable<NativeMessagesEvent>>;
  /** `POST /v1/messages/count_tokens` on the upstream: its own count of the body's input tokens. */
  countTokens(
    body: Record<string, unknown>,
    target: ChatTarget,
    context: UpstreamCallContext,
    headers: NativeMessagesHeaders,
  ): Promise<number>;
}

export interface ImagesResult {
  /** The upstream's answer as received: images as URLs or base64, and GPT image models' token usage. */
  body: ImagesResponse;
}

/** An upstream that generates images from a prompt (OpenAI's `POST /images/generations`). */
export interface ImageGeneration {
  generate(request: ImageGenerationRequest, target: ChatTarget, context: UpstreamCallContext): Promise<ImagesResult>;
}

/**
 * One upstream, spoken in its own wire format, presented as OpenAI Chat Completions.
 * Adapters throw `GatewayError` with an `upstream_*` code for every upstream failure.
 */
export interface ProviderAdapter {
  readonly id: string;
  readonly type: string;
  chat(request: ChatCompletionRequest, target: ChatTarget, context: UpstreamCallContext): Promise<ChatResult>;
  /** Resolves once the upstream accepted the request (2xx headers); chunks follow through iteration. */
  chatStream(request: ChatCompletionRequest, target: ChatTarget, context: UpstreamCallContext): Promise<ChatStream>;
  embeddings(request: EmbeddingsRequest, target: ChatTarget, context: UpstreamCallContext): Promise<EmbeddingsResult>;
  /** Present when the upstream serves Anthropic Messages bodies natively (routing then skips translation). */
  readonly messages?: NativeMessages;
  /** Present when the upstream generates images (see IMAGE_PROVIDER_TYPES). */
  readonly images?: ImageGeneration;
  /** Releases sockets; called when a config reload retires the adapter. */
  close(): void;
}

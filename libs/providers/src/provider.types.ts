import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
  EmbeddingsRequest,
  EmbeddingsResponse,
  CancelSignal,
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
  /** Releases sockets; called when a config reload retires the adapter. */
  close(): void;
}

import { z } from 'zod';
import {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
  EmbeddingsRequest,
  EmbeddingsResponse,
  GatewayError,
} from '@app/common';
import { createAgents } from '../http/upstream-agents';
import { parseErrorEnvelope, upstreamHttpError, upstreamStreamError } from '../http/upstream-errors';
import { readBody, UpstreamHttpService, UpstreamResponse } from '../http/upstream-http.service';
import type {
  ChatResult,
  ChatStream,
  ChatTarget,
  EmbeddingsResult,
  ProviderAdapter,
  StreamEvent,
  UpstreamCallContext,
} from '../provider.types';
import { baseProviderSchema, httpProviderFields } from '../provider-config';
import { sseEvents } from '../sse/sse-parser';

export const openAiProviderSchema = baseProviderSchema.extend({
  type: z.enum(['openai', 'openai-compatible']),
  ...httpProviderFields,
});

export type OpenAiProviderConfig = z.infer<typeof openAiProviderSchema>;

/** What the config of every OpenAI-wire dialect (OpenAI, Azure, DeepSeek, …) provides. */
export type OpenAiWireConfig = Omit<OpenAiProviderConfig, 'type'> & { type: string };

/**
 * OpenAI Chat Completions and everything that speaks it (DeepSeek, vLLM, Ollama, Gemini's compatibility
 * endpoint). The client's body is forwarded with only `model` (and for streams `stream_options`) changed,
 * so new OpenAI parameters work without a gateway release; streamed chunks are forwarded byte-for-byte.
 */
export class OpenAiAdapter implements ProviderAdapter {
  readonly id: string;
  readonly type: string;
  private readonly agents;
  private readonly headers: Record<string, string>;

  constructor(
    protected readonly config: OpenAiWireConfig,
    private readonly http: UpstreamHttpService,
  ) {
    this.id = config.id;
    this.type = config.type;
    this.agents = createAgents({ connectTimeoutMs: config.connect_timeout_ms, maxSockets: config.max_sockets });
    this.headers = { 'content-type': 'application/json', accept: 'application/json', ...config.headers, ...this.authHeaders() };
  }

  /** Dialect hooks: OpenAI-compatible services differ in URLs, auth headers and a few response details. */
  protected authHeaders(): Record<string, string> {
    return this.config.api_key ? { authorization: `Bearer ${this.config.api_key}` } : {};
  }

  protected url(endpoint: 'chat/completions' | 'embeddings', _target: ChatTarget): string {
    return `${this.config.base_url}/${endpoint}`;
  }

  /** Returns the completion as the client should see it (the same object when nothing changes). */
  protected adaptCompletion(body: ChatCompletion): ChatCompletion {
    return body;
  }

  /** Returns the chunk as the client should see it, the same object to forward its bytes unchanged, or null to drop it. */
  protected adaptChunk(chunk: ChatCompletionChunk): ChatCompletionChunk | null {
    return chunk;
  }

  async chat(request: ChatCompletionRequest, target: ChatTarget, context: UpstreamCallContext): Promise<ChatResult> {
    const response = await this.post(this.url('chat/completions', target), { ...request, model: target.upstreamModel }, context);
    const received = await this.json<ChatCompletion>(response);
    if (!Array.isArray(received?.choices)) throw this.invalid('a chat completion without "choices"');
    const body = this.adaptCompletion(received);
    return { body, usage: body.usage ?? undefined, droppedParams: [] };
  }

  async chatStream(request: ChatCompletionRequest, target: ChatTarget, context: UpstreamCallContext): Promise<ChatStream> {
    // Usage is always requested, because cost and evidence need it; the gateway strips the extra
    // usage chunk again when the client did not ask for it.
    const body = {
      ...request,
      model: target.upstreamModel,
      stream: true,
      stream_options: { ...(request.stream_options ?? {}), include_usage: true },
    };
    const response = await this.post(this.url('chat/completions', target), body, context);
    if (response.status >= 400) throw await this.failure(response);
    return Object.assign(this.chunks(response), { droppedParams: [] });
  }

  async embeddings(request: EmbeddingsRequest, target: ChatTarget, context: UpstreamCallContext): Promise<EmbeddingsResult> {
    const response = await this.post(this.url('embeddings', target), { ...request, model: target.upstreamModel }, context);
    const body = await this.json<EmbeddingsResponse>(response);
    if (!Array.isArray(body?.data)) throw this.invalid('an embeddings response without "data"');
    return { body };
  }

  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  private post(url: string, body: unknown, context: UpstreamCallContext): Promise<UpstreamResponse> {
    return this.http.send({
      providerId: this.id,
      url,
      headers: this.headers,
      body: JSON.stringify(body),
      agents: this.agents,
      context,
    });
  }

  private async json<T>(response: UpstreamResponse): Promise<T> {
    if (response.status >= 400) throw await this.failure(response);
    const text = await readBody(response.body);
    try {
      return JSON.parse(text) as T;
    } catch {
      throw this.invalid('a body that is not JSON');
    }
  }

  private async failure(response: UpstreamResponse): Promise<GatewayError> {
    const { message, code } = parseErrorEnvelope(await readBody(response.body, 1024 * 1024));
    return upstreamHttpError({ providerId: this.id, status: response.status, headers: response.headers, message, upstreamCode: code });
  }

  private async *chunks(response: UpstreamResponse): AsyncGenerator<StreamEvent> {
    let finished = false;
    for await (const event of sseEvents(response.body)) {
      if (event.data === '[DONE]') return;
      let chunk: ChatCompletionChunk & { error?: unknown };
      try {
        chunk = JSON.parse(event.data);
      } catch {
        throw this.invalid('a stream event that is not JSON');
      }
      if (chunk.error || event.event === 'error') {
        throw upstreamStreamError(this.id, parseErrorEnvelope(event.data).message);
      }
      const adapted = this.adaptChunk(chunk);
      if (!adapted) continue;
      if (adapted.choices?.some((choice) => choice.finish_reason)) finished = true;
      yield { chunk: adapted, raw: adapted === chunk ? event.data : undefined };
    }
    // Some OpenAI-compatible servers omit [DONE]; a stream that reached a finish_reason is complete.
    if (!finished) throw new GatewayError('upstream_error', `Upstream "${this.id}" closed the stream before it finished.`);
  }

  protected invalid(what: string): GatewayError {
    return new GatewayError('upstream_invalid_response', `Upstream "${this.id}" sent ${what}.`);
  }
}

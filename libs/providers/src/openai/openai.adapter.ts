import { z } from 'zod';
import {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
  EmbeddingsRequest,
  EmbeddingsResponse,
  GatewayError,
  ImageGenerationRequest,
  ImagesResponse,
} from '@app/common';
import { UpstreamEndpoint } from '../http/upstream-endpoint';
import { parseErrorEnvelope, upstreamHttpError, upstreamStreamError } from '../http/upstream-errors';
import type { UpstreamHttpService, UpstreamResponse } from '../http/upstream-http.service';
import type {
  ChatResult,
  ChatStream,
  ChatTarget,
  EmbeddingsResult,
  ImageGeneration,
  ImagesResult,
  ProviderAdapter,
  StreamEvent,
  UpstreamCallContext,
} from '../provider.types';
import { servesImages } from '../image-providers';
import { withRequiredChoiceFields } from './openai-completion.mapper';
import { baseProviderSchema, httpProviderFields } from '../provider-config';
import { sseEvents } from '../sse/sse-parser';

export const openAiProviderSchema = baseProviderSchema.extend({
  type: z.enum(['openai', 'openai-compatible']),
  ...httpProviderFields,
});

export type OpenAiProviderConfig = z.infer<typeof openAiProviderSchema>;

/** What the config of every OpenAI-wire dialect (OpenAI, Azure, DeepSeek, …) provides. */
export type OpenAiWireConfig = Omit<OpenAiProviderConfig, 'type'> & { type: string };

/** The OpenAI API paths the adapters call, relative to the provider's base URL. */
export type OpenAiEndpoint = 'chat/completions' | 'embeddings' | 'images/generations';

/**
 * OpenAI Chat Completions and everything that speaks it (DeepSeek, vLLM, Ollama, Gemini's compatibility
 * endpoint). The client's body is forwarded with only `model` (and for streams `stream_options`) changed,
 * so new OpenAI parameters work without a gateway release; a non-stream answer gets the null fields OpenAI's
 * spec requires and some compatible servers leave out (`withRequiredChoiceFields`); streamed chunks are
 * forwarded byte-for-byte (re-serialised only when the upstream split one over several `data:` lines).
 */
export class OpenAiAdapter implements ProviderAdapter {
  readonly id: string;
  readonly type: string;
  /** Only for the dialects that generate images (not DeepSeek, say): IMAGE_PROVIDER_TYPES. */
  readonly images?: ImageGeneration;
  private readonly endpoint: UpstreamEndpoint;

  constructor(
    protected readonly config: OpenAiWireConfig,
    http: UpstreamHttpService,
  ) {
    this.id = config.id;
    this.type = config.type;
    this.endpoint = new UpstreamEndpoint(config, this.authHeaders(), http, (status, headers, body) => {
      const { message, code } = parseErrorEnvelope(body);
      return upstreamHttpError({ providerId: this.id, status, headers, message, upstreamCode: code });
    });
    if (servesImages(config.type)) this.images = { generate: (...args) => this.generateImages(...args) };
  }

  /** Dialect hooks: OpenAI-compatible services differ in URLs, auth headers and a few response details. */
  protected authHeaders(): Record<string, string> {
    return this.config.api_key ? { authorization: `Bearer ${this.config.api_key}` } : {};
  }

  protected url(endpoint: OpenAiEndpoint, _target: ChatTarget): string {
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
    const response = await this.endpoint.post(
      this.url('chat/completions', target),
      { ...request, model: target.upstreamModel },
      context,
    );
    const received = await this.endpoint.completion<ChatCompletion>(response);
    if (!Array.isArray(received?.choices)) throw this.endpoint.invalid('a chat completion without "choices"');
    const body = this.adaptCompletion(withRequiredChoiceFields(received));
    return { body, usage: body.usage ?? undefined, droppedParams: [] };
  }

  async chatStream(
    request: ChatCompletionRequest,
    target: ChatTarget,
    context: UpstreamCallContext,
  ): Promise<ChatStream> {
    // Usage is always requested, because cost and evidence need it; the gateway strips the extra
    // usage chunk again when the client did not ask for it.
    const body = {
      ...request,
      model: target.upstreamModel,
      stream: true,
      stream_options: { ...(request.stream_options ?? {}), include_usage: true },
    };
    const response = await this.endpoint.post(this.url('chat/completions', target), body, context);
    await this.endpoint.assertOk(response);
    return Object.assign(this.chunks(response), { droppedParams: [] });
  }

  async embeddings(
    request: EmbeddingsRequest,
    target: ChatTarget,
    context: UpstreamCallContext,
  ): Promise<EmbeddingsResult> {
    const response = await this.endpoint.post(
      this.url('embeddings', target),
      { ...request, model: target.upstreamModel },
      context,
    );
    const body = await this.endpoint.json<EmbeddingsResponse>(response);
    if (!Array.isArray(body?.data)) throw this.endpoint.invalid('an embeddings response without "data"');
    return { body };
  }

  /** The client's body with only `model` changed; the images come back as the upstream sent them. */
  private async generateImages(
    request: ImageGenerationRequest,
    target: ChatTarget,
    context: UpstreamCallContext,
  ): Promise<ImagesResult> {
    const response = await this.endpoint.post(
      this.url('images/generations', target),
      { ...request, model: target.upstreamModel },
      context,
    );
    const body = await this.endpoint.json<ImagesResponse>(response);
    if (!Array.isArray(body?.data)) throw this.endpoint.invalid('an images response without "data"');
    return { body };
  }

  close(): void {
    this.endpoint.close();
  }

  private async *chunks(response: UpstreamResponse): AsyncGenerator<StreamEvent> {
    let finished = false;
    for await (const event of sseEvents(response.body)) {
      if (event.data === '[DONE]') return;
      let chunk: ChatCompletionChunk & { error?: unknown };
      try {
        chunk = JSON.parse(event.data) as typeof chunk;
      } catch {
        throw this.endpoint.invalid('a stream event that is not JSON');
      }
      if (chunk.error || event.event === 'error') {
        throw upstreamStreamError(this.id, parseErrorEnvelope(event.data).message);
      }
      const adapted = this.adaptChunk(chunk);
      if (!adapted) continue;
      if (adapted.choices?.some((choice) => choice.finish_reason)) finished = true;
      yield { chunk: adapted, raw: adapted === chunk && isOneLine(event.data) ? event.data : undefined };
    }
    // Some OpenAI-compatible servers omit [DONE]; a stream that reached a finish_reason is complete.
    if (!finished)
      throw new GatewayError('upstream_error', `Upstream "${this.id}" closed the stream before it finished.`);
  }
}

/**
 * Whether an event's data can be forwarded as one `data:` line. A multi-line event's data holds its lines
 * joined with `\n` (valid JSON still), but written behind a single `data: ` it would break the client's
 * parse: it is re-serialised instead.
 */
function isOneLine(data: string): boolean {
  return !data.includes('\n');
}

import { z } from 'zod';
import { ChatCompletionRequest, EmbeddingsRequest } from '@app/common';
import { UpstreamEndpoint } from '../http/upstream-endpoint';
import { upstreamStreamError } from '../http/upstream-errors';
import type { UpstreamHttpService, UpstreamResponse } from '../http/upstream-http.service';
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
import { embeddingInputs, toBatchEmbedRequest, toEmbeddingsResponse } from './gemini-embeddings.mapper';
import { geminiHttpError, geminiStreamError } from './gemini-error.mapper';
import { toGeminiRequest } from './gemini-request.mapper';
import { identify, toChatCompletion } from './gemini-response.mapper';
import { GeminiStreamTransformer } from './gemini-stream.transformer';
import type { GeminiBatchEmbedResponse, GeminiResponse } from './gemini.types';

export const geminiProviderSchema = baseProviderSchema.extend({
  type: z.literal('gemini'),
  ...httpProviderFields,
});

export type GeminiProviderConfig = z.infer<typeof geminiProviderSchema>;

type GeminiMethod = 'generateContent' | 'streamGenerateContent' | 'batchEmbedContents';

/**
 * Google's Generative Language API (v1beta), e.g. `base_url: https://generativelanguage.googleapis.com`,
 * presented as OpenAI Chat Completions. Requests and answers are translated (see README.md beside this
 * file for every parameter); the key travels in `x-goog-api-key`, never in the URL, where it would end up
 * in access logs.
 */
export class GeminiAdapter implements ProviderAdapter {
  readonly id: string;
  readonly type = 'gemini';
  private readonly endpoint: UpstreamEndpoint;

  constructor(
    private readonly config: GeminiProviderConfig,
    http: UpstreamHttpService,
  ) {
    this.id = config.id;
    const auth: Record<string, string> = config.api_key ? { 'x-goog-api-key': config.api_key } : {};
    this.endpoint = new UpstreamEndpoint(config, auth, http, (status, headers, body) =>
      geminiHttpError(this.id, status, headers, body),
    );
  }

  async chat(request: ChatCompletionRequest, target: ChatTarget, context: UpstreamCallContext): Promise<ChatResult> {
    const { body, droppedParams } = toGeminiRequest(request);
    const answer = await this.endpoint.completion<GeminiResponse>(
      await this.post(target.upstreamModel, 'generateContent', body, context),
    );
    if (!Array.isArray(answer?.candidates) && !answer?.promptFeedback?.blockReason)
      throw this.endpoint.invalid('an answer without "candidates"');
    const completion = toChatCompletion(answer, identify(answer, target.upstreamModel));
    return { body: completion, usage: completion.usage, droppedParams };
  }

  async chatStream(
    request: ChatCompletionRequest,
    target: ChatTarget,
    context: UpstreamCallContext,
  ): Promise<ChatStream> {
    const { body, droppedParams } = toGeminiRequest(request);
    const response = await this.post(target.upstreamModel, 'streamGenerateContent', body, context);
    await this.endpoint.assertOk(response);
    return Object.assign(this.chunks(response, target.upstreamModel), { droppedParams });
  }

  async embeddings(
    request: EmbeddingsRequest,
    target: ChatTarget,
    context: UpstreamCallContext,
  ): Promise<EmbeddingsResult> {
    const inputs = embeddingInputs(request);
    const body = toBatchEmbedRequest(inputs, modelName(target.upstreamModel), request.dimensions);
    const answer = await this.endpoint.json<GeminiBatchEmbedResponse>(
      await this.post(target.upstreamModel, 'batchEmbedContents', body, context),
    );
    const vectors = answer?.embeddings?.map((embedding) => embedding.values);
    if (!vectors || vectors.length !== inputs.length || !vectors.every(Array.isArray)) {
      throw this.endpoint.invalid('an embeddings answer without one vector per input');
    }
    return { body: toEmbeddingsResponse(vectors as number[][], inputs, target.upstreamModel, request.encoding_format) };
  }

  close(): void {
    this.endpoint.close();
  }

  private async *chunks(response: UpstreamResponse, upstreamModel: string): AsyncGenerator<StreamEvent> {
    const transformer = new GeminiStreamTransformer(upstreamModel);
    for await (const event of sseEvents(response.body)) {
      let parsed: GeminiResponse;
      try {
        parsed = JSON.parse(event.data) as GeminiResponse; // checked by geminiStreamError and the transformer
      } catch {
        throw this.endpoint.invalid('a stream event that is not JSON');
      }
      const error = geminiStreamError(this.id, parsed);
      if (error) throw error;
      for (const chunk of transformer.translate(parsed)) yield { chunk };
    }
    // Gemini has no end-of-stream marker: only a finish reason tells a complete answer from a cut one.
    const usage = transformer.end();
    if (!usage) throw upstreamStreamError(this.id, 'the stream ended before any finish reason');
    yield { chunk: usage };
  }

  private post(
    model: string,
    method: GeminiMethod,
    body: unknown,
    context: UpstreamCallContext,
  ): Promise<UpstreamResponse> {
    const streaming = method === 'streamGenerateContent';
    const url = `${this.config.base_url}/v1beta/models/${encodeURIComponent(modelName(model))}:${method}${streaming ? '?alt=sse' : ''}`;
    return this.endpoint.post(url, body, context, streaming ? { accept: 'text/event-stream' } : undefined);
  }
}

/** Config may name the model as Gemini lists it (`models/gemini-2.5-flash`); the path wants the bare id. */
function modelName(model: string): string {
  return model.replace(/^models\//, '');
}

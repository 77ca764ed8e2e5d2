import { z } from 'zod';
import { ChatCompletionRequest, GatewayError } from '@app/common';
import { UpstreamEndpoint } from '../http/upstream-endpoint';
import type { UpstreamHttpService, UpstreamResponse } from '../http/upstream-http.service';
import type {
  ChatResult,
  ChatStream,
  ChatTarget,
  EmbeddingsResult,
  NativeMessages,
  ProviderAdapter,
  StreamEvent,
  UpstreamCallContext,
} from '../provider.types';
import { baseProviderSchema, httpProviderFields } from '../provider-config';
import { sseEvents } from '../sse/sse-parser';
import { anthropicHttpError } from './anthropic-error.mapper';
import { readAnthropicMessage } from './anthropic-message.reader';
import { AnthropicNativeMessages } from './anthropic-native.messages';
import { toAnthropicRequest } from './anthropic-request.mapper';
import { toChatCompletion } from './anthropic-response.mapper';
import { AnthropicStreamTransformer } from './anthropic-stream.transformer';

export const anthropicProviderSchema = baseProviderSchema.extend({
  type: z.literal('anthropic'),
  ...httpProviderFields,
  /** e.g. https://api.anthropic.com; the adapter appends /v1/messages itself. */
  base_url: httpProviderFields.base_url.refine(
    (url) => !url.endsWith('/v1'),
    'leave out "/v1": the adapter appends /v1/messages',
  ),
  anthropic_version: z.string().default('2023-06-01'),
});

export type AnthropicProviderConfig = z.infer<typeof anthropicProviderSchema>;

/**
 * Anthropic's Messages API presented as OpenAI Chat Completions. Requests, responses, stream events and errors
 * are translated by the mappers beside this file; README.md has the parameter table. `messages` serves
 * Anthropic Messages clients natively, untranslated, over the same endpoint. Bodies are never logged.
 */
export class AnthropicAdapter implements ProviderAdapter {
  readonly id: string;
  readonly type = 'anthropic';
  readonly messages: NativeMessages;
  private readonly endpoint: UpstreamEndpoint;
  private readonly url: string;

  constructor(config: AnthropicProviderConfig, http: UpstreamHttpService) {
    this.id = config.id;
    this.url = `${config.base_url}/v1/messages`;
    const auth = {
      'anthropic-version': config.anthropic_version,
      ...(config.api_key ? { 'x-api-key': config.api_key } : {}),
    };
    this.endpoint = new UpstreamEndpoint(config, auth, http, (status, headers, body) =>
      anthropicHttpError(this.id, status, headers, body),
    );
    this.messages = new AnthropicNativeMessages(this.id, this.endpoint, this.url);
  }

  async chat(request: ChatCompletionRequest, target: ChatTarget, context: UpstreamCallContext): Promise<ChatResult> {
    const { body, droppedParams } = toAnthropicRequest(request, target, { stream: false });
    const message = await readAnthropicMessage(this.endpoint, await this.endpoint.post(this.url, body, context));
    const completion = toChatCompletion(message, nowSeconds());
    return { body: completion, usage: completion.usage, droppedParams };
  }

  async chatStream(
    request: ChatCompletionRequest,
    target: ChatTarget,
    context: UpstreamCallContext,
  ): Promise<ChatStream> {
    const { body, droppedParams } = toAnthropicRequest(request, target, { stream: true });
    const response = await this.endpoint.post(this.url, body, context);
    await this.endpoint.assertOk(response);
    return Object.assign(this.chunks(response), { droppedParams });
  }

  async embeddings(): Promise<EmbeddingsResult> {
    throw new GatewayError(
      'invalid_request_error',
      `Provider "${this.id}" is Anthropic, which offers no embeddings endpoint.`,
      { param: 'model' },
    );
  }

  close(): void {
    this.endpoint.close();
  }

  private async *chunks(response: UpstreamResponse): AsyncGenerator<StreamEvent> {
    const transformer = new AnthropicStreamTransformer(this.id, nowSeconds());
    for await (const event of sseEvents(response.body)) {
      for (const chunk of transformer.push(event)) yield { chunk };
    }
    transformer.end();
  }
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

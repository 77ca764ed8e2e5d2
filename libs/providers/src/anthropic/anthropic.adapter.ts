import { z } from 'zod';
import { ChatCompletionRequest, GatewayError } from '@app/common';
import { createAgents } from '../http/upstream-agents';
import { readBody, UpstreamHttpService, UpstreamResponse } from '../http/upstream-http.service';
import type { ChatResult, ChatStream, ChatTarget, EmbeddingsResult, ProviderAdapter, StreamEvent, UpstreamCallContext } from '../provider.types';
import { baseProviderSchema, httpProviderFields } from '../provider-config';
import { sseEvents } from '../sse/sse-parser';
import type { AnthropicMessageResponse, AnthropicRequest } from './anthropic.types';
import { anthropicHttpError, invalidResponse } from './anthropic-error.mapper';
import { toAnthropicRequest } from './anthropic-request.mapper';
import { toChatCompletion } from './anthropic-response.mapper';
import { AnthropicStreamTransformer } from './anthropic-stream.transformer';

export const anthropicProviderSchema = baseProviderSchema.extend({
  type: z.literal('anthropic'),
  ...httpProviderFields,
  /** e.g. https://api.anthropic.com; the adapter appends /v1/messages itself. */
  base_url: httpProviderFields.base_url.refine((url) => !url.endsWith('/v1'), 'leave out "/v1": the adapter appends /v1/messages'),
  anthropic_version: z.string().default('2023-06-01'),
});

export type AnthropicProviderConfig = z.infer<typeof anthropicProviderSchema>;

const MAX_ERROR_BODY = 1024 * 1024;

/**
 * Anthropic's Messages API presented as OpenAI Chat Completions. Requests, responses, stream events and errors
 * are translated by the mappers beside this file; README.md has the parameter table. Bodies are never logged.
 */
export class AnthropicAdapter implements ProviderAdapter {
  readonly id: string;
  readonly type = 'anthropic';
  private readonly agents;
  private readonly headers: Record<string, string>;

  constructor(
    private readonly config: AnthropicProviderConfig,
    private readonly http: UpstreamHttpService,
  ) {
    this.id = config.id;
    this.agents = createAgents({ connectTimeoutMs: config.connect_timeout_ms, maxSockets: config.max_sockets });
    this.headers = {
      'content-type': 'application/json',
      accept: 'application/json',
      'anthropic-version': config.anthropic_version,
      ...config.headers,
      ...(config.api_key ? { 'x-api-key': config.api_key } : {}),
    };
  }

  async chat(request: ChatCompletionRequest, target: ChatTarget, context: UpstreamCallContext): Promise<ChatResult> {
    const { body, droppedParams } = toAnthropicRequest(request, target, { stream: false });
    const response = await this.post(body, context);
    const message = await this.message(response);
    const completion = toChatCompletion(message, nowSeconds());
    return { body: completion, usage: completion.usage, droppedParams };
  }

  async chatStream(request: ChatCompletionRequest, target: ChatTarget, context: UpstreamCallContext): Promise<ChatStream> {
    const { body, droppedParams } = toAnthropicRequest(request, target, { stream: true });
    const response = await this.post(body, context);
    if (response.status >= 400) throw await this.failure(response);
    return Object.assign(this.chunks(response), { droppedParams });
  }

  async embeddings(): Promise<EmbeddingsResult> {
    throw new GatewayError('invalid_request_error', `Provider "${this.id}" is Anthropic, which offers no embeddings endpoint.`, { param: 'model' });
  }

  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  private post(body: AnthropicRequest, context: UpstreamCallContext): Promise<UpstreamResponse> {
    return this.http.send({
      providerId: this.id,
      url: `${this.config.base_url}/v1/messages`,
      headers: this.headers,
      body: JSON.stringify(body),
      agents: this.agents,
      context,
    });
  }

  private async message(response: UpstreamResponse): Promise<AnthropicMessageResponse> {
    if (response.status >= 400) throw await this.failure(response);
    const text = await readBody(response.body);
    let message: AnthropicMessageResponse | undefined;
    try {
      message = JSON.parse(text);
    } catch {
      // Reported below, without echoing the body.
    }
    if (message?.type !== 'message' || !Array.isArray(message.content)) throw invalidResponse(this.id, 'a body that is not an Anthropic message');
    return message;
  }

  private async failure(response: UpstreamResponse): Promise<GatewayError> {
    return anthropicHttpError(this.id, response.status, response.headers, await readBody(response.body, MAX_ERROR_BODY));
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

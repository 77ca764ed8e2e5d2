import type { UpstreamEndpoint } from '../http/upstream-endpoint';
import type { UpstreamResponse } from '../http/upstream-http.service';
import type {
  ChatTarget,
  NativeMessages,
  NativeMessagesEvent,
  NativeMessagesHeaders,
  NativeMessagesResult,
  UpstreamCallContext,
} from '../provider.types';
import { sseEvents } from '../sse/sse-parser';
import { readAnthropicMessage } from './anthropic-message.reader';
import { AnthropicNativeStreamTransformer } from './anthropic-native-stream.transformer';
import { toOpenAiUsage } from './anthropic-usage.mapper';

/**
 * `/v1/messages` served by Anthropic itself: the client's body goes upstream as it came, with only `model`
 * replaced by the deployment's and `stream` set as asked, so everything Anthropic knows and the gateway does
 * not (cache_control, thinking, server tools, betas) keeps working. The answer comes back unchanged. Calls
 * share the adapter's endpoint: its key, keep-alive pools, timeouts and error mapping.
 */
export class AnthropicNativeMessages implements NativeMessages {
  constructor(
    private readonly providerId: string,
    private readonly endpoint: UpstreamEndpoint,
    private readonly url: string,
  ) {}

  async create(
    body: Record<string, unknown>,
    target: ChatTarget,
    context: UpstreamCallContext,
    headers: NativeMessagesHeaders,
  ): Promise<NativeMessagesResult> {
    const response = await this.endpoint.post(
      this.url,
      upstreamBody(body, target, false),
      context,
      forwardedHeaders(headers),
    );
    const message = await readAnthropicMessage(this.endpoint, response);
    return { body: message, usage: message.usage ? toOpenAiUsage(message.usage) : undefined };
  }

  async stream(
    body: Record<string, unknown>,
    target: ChatTarget,
    context: UpstreamCallContext,
    headers: NativeMessagesHeaders,
  ): Promise<AsyncIterable<NativeMessagesEvent>> {
    const response = await this.endpoint.post(
      this.url,
      upstreamBody(body, target, true),
      context,
      forwardedHeaders(headers),
    );
    await this.endpoint.assertOk(response);
    return this.events(response);
  }

  async countTokens(
    body: Record<string, unknown>,
    target: ChatTarget,
    context: UpstreamCallContext,
    headers: NativeMessagesHeaders,
  ): Promise<number> {
    const response = await this.endpoint.post(
      `${this.url}/count_tokens`,
      { ...body, model: target.upstreamModel },
      context,
      forwardedHeaders(headers),
    );
    const counted = await this.endpoint.json<{ input_tokens?: unknown } | undefined>(response);
    const tokens = counted?.input_tokens;
    if (typeof tokens !== 'number' || !Number.isSafeInteger(tokens) || tokens < 0) {
      throw this.endpoint.invalid('a count_tokens answer without a whole input_tokens');
    }
    return tokens;
  }

  private async *events(response: UpstreamResponse): AsyncGenerator<NativeMessagesEvent> {
    const transformer = new AnthropicNativeStreamTransformer(this.providerId);
    for await (const event of sseEvents(response.body)) yield transformer.push(event);
    transformer.end();
  }
}

/** The client's body for the deployment's model; `stream` only where the client's body had it or a stream is wanted. */
function upstreamBody(body: Record<string, unknown>, target: ChatTarget, stream: boolean): Record<string, unknown> {
  const sent: Record<string, unknown> = { ...body, model: target.upstreamModel };
  if (stream) sent.stream = true;
  else if (sent.stream !== undefined) sent.stream = false;
  return sent;
}

/**
 * Only the two Anthropic headers, picked by name: whatever else the caller's object holds (the client's own
 * key, say) never reaches the upstream. The endpoint's headers supply the configured version otherwise.
 */
function forwardedHeaders(headers: NativeMessagesHeaders): Record<string, string> | undefined {
  const version = headers['anthropic-version'];
  const beta = headers['anthropic-beta'];
  if (!version && !beta) return undefined;
  return { ...(version ? { 'anthropic-version': version } : {}), ...(beta ? { 'anthropic-beta': beta } : {}) };
}

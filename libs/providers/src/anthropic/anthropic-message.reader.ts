import type { UpstreamEndpoint } from '../http/upstream-endpoint';
import type { UpstreamResponse } from '../http/upstream-http.service';
import type { AnthropicMessageResponse } from './anthropic.types';

/**
 * A non-stream Messages answer: the mapped error for a 4xx/5xx, else the body, which must be an Anthropic
 * message (both the translated and the native path rely on `content` and `usage` being where they belong).
 */
export async function readAnthropicMessage(
  endpoint: UpstreamEndpoint,
  response: UpstreamResponse,
): Promise<AnthropicMessageResponse> {
  const message = await endpoint.completion<AnthropicMessageResponse | undefined>(response);
  if (message?.type !== 'message' || !Array.isArray(message.content))
    throw endpoint.invalid('a body that is not an Anthropic message');
  return message;
}

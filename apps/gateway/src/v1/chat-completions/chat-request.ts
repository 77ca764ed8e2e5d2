import { ChatCompletionRequest } from '@app/common';
import { invalid, requireModel, requireObject } from '../pipeline/body-checks';

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function']);

/**
 * Checks only what the gateway itself relies on; every other field passes through untouched, so new
 * OpenAI parameters need no gateway release.
 */
export function parseChatRequest(body: unknown): ChatCompletionRequest {
  const request = requireObject(body);
  requireModel(request);
  const messages = request.messages;
  if (!Array.isArray(messages) || messages.length === 0) {
    throw invalid('"messages" is required and must be a non-empty array.', 'messages');
  }
  messages.forEach((message, i) => {
    if (!message || typeof message !== 'object' || !ROLES.has((message as { role?: unknown }).role as string)) {
      throw invalid(`messages[${i}].role must be one of ${[...ROLES].join(', ')}.`, `messages[${i}].role`);
    }
  });
  if (request.stream !== undefined && request.stream !== null && typeof request.stream !== 'boolean') {
    throw invalid('"stream" must be a boolean.', 'stream');
  }
  const options = request.stream_options;
  if (options !== undefined && options !== null) {
    if (typeof options !== 'object' || Array.isArray(options))
      throw invalid('"stream_options" must be an object.', 'stream_options');
    if (request.stream !== true)
      throw invalid('"stream_options" is only allowed when "stream" is true.', 'stream_options');
  }
  return request as ChatCompletionRequest;
}

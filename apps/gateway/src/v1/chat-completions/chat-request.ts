import { ChatCompletionRequest, forSlicesInTurns, isLongList } from '@app/common';
import { invalid, requireModel, requireObject } from '../pipeline/body-checks';

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function']);

/**
 * Checks only what the gateway itself relies on; every other field passes through untouched, so new
 * OpenAI parameters need no gateway release. A conversation of more than 1,000 messages has its messages
 * checked 1,000 at a time, letting other requests run between turns (`forSlicesInTurns`): 200k messages take
 * a few ms in one call, tens while the code is still cold.
 */
export async function parseChatRequest(body: unknown): Promise<ChatCompletionRequest> {
  const request = requireObject(body);
  requireModel(request);
  const messages = request.messages;
  if (!Array.isArray(messages) || messages.length === 0) {
    throw invalid('"messages" is required and must be a non-empty array.', 'messages');
  }
  if (isLongList(messages.length)) {
    await forSlicesInTurns(messages.length, (from, to) => {
      for (let i = from; i < to; i++) checkRole(messages[i], i);
    });
  } else {
    messages.forEach(checkRole);
  }
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

function checkRole(message: unknown, i: number): void {
  if (!message || typeof message !== 'object' || !ROLES.has((message as { role?: unknown }).role as string)) {
    throw invalid(`messages[${i}].role must be one of ${[...ROLES].join(', ')}.`, `messages[${i}].role`);
  }
}

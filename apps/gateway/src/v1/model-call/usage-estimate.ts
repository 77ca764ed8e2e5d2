import type { ChatCompletion, ChatCompletionRequest, EmbeddingsRequest, TokenUsage } from '@app/common';
import { estimatedUsage } from '@app/common';
import type { StreamEvent } from '@app/providers';
import type { RoutedMessages } from '@app/routing';

/*
 * What a usage estimate is made from when an upstream that answered reported no usage: the evidence still
 * says roughly what was used (marked `estimated`), while the budget is charged the reservation. The answer
 * is the upstream's JSON, not trusted to have the shape its type claims: these run between a served call
 * and its settlement, so they must not throw.
 */

/** A chat completion's estimate: the prompt's text and the answer's. */
export function chatEstimate(request: ChatCompletionRequest, completion: ChatCompletion): TokenUsage {
  return estimatedUsage(promptChars(request), generatedIn(completion?.choices, 'message'));
}

/** A Messages call's estimate: as chat when a chat deployment answered; a native answer's JSON over-counts its text. */
export function messagesEstimate(request: ChatCompletionRequest, routed: RoutedMessages): TokenUsage {
  if (routed.kind === 'chat') return chatEstimate(request, routed.value.body);
  return estimatedUsage(promptChars(request), JSON.stringify(routed.value.body ?? null).length);
}

/** An embeddings call's estimate: its input texts, and its token-id inputs one token per id. */
export function embeddingsEstimate(request: EmbeddingsRequest): TokenUsage {
  let chars = 0;
  let tokenIds = 0;
  for (const item of Array.isArray(request.input) ? request.input : [request.input]) {
    if (typeof item === 'string') chars += item.length;
    else if (typeof item === 'number') tokenIds++;
    else if (Array.isArray(item)) tokenIds += item.length;
  }
  return estimatedUsage(chars, 0, tokenIds);
}

/** Characters of the prompt's text content. */
export function promptChars(request: ChatCompletionRequest): number {
  return request.messages.reduce((sum, message) => {
    const content = message.content;
    if (typeof content === 'string') return sum + content.length;
    if (!Array.isArray(content)) return sum;
    return (
      sum +
      content.reduce((n, part) => n + (part.type === 'text' && typeof part.text === 'string' ? part.text.length : 0), 0)
    );
  }, 0);
}

/** Characters the model generated in one chunk: text, reasoning and tool-call arguments. */
export function generatedChars({ chunk }: StreamEvent): number {
  return generatedIn(chunk?.choices, 'delta');
}

type Generated = { content?: unknown; reasoning_content?: unknown; tool_calls?: unknown };

/** What the choices' messages (or deltas) hold that the model generated: text, reasoning, tool-call arguments. */
function generatedIn(choices: unknown, field: 'message' | 'delta'): number {
  let chars = 0;
  for (const choice of Array.isArray(choices) ? (choices as Array<Record<string, Generated> | null>) : []) {
    const part = choice?.[field];
    if (!part) continue;
    chars += textLength(part.content) + textLength(part.reasoning_content);
    const calls = Array.isArray(part.tool_calls)
      ? (part.tool_calls as Array<{ function?: { arguments?: unknown } } | null>)
      : [];
    for (const call of calls) chars += textLength(call?.function?.arguments);
  }
  return chars;
}

function textLength(value: unknown): number {
  return typeof value === 'string' ? value.length : 0;
}

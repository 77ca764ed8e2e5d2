import { ChatCompletion, FinishReason, newId, ToolCall } from '@app/common';
import { toolCallId } from './gemini-tool-call-id.mapper';
import { toOpenAiUsage } from './gemini-usage.mapper';
import type { GeminiCandidate, GeminiPart, GeminiResponse } from './gemini.types';

/** Which completion an answer (or every chunk of a streamed one) belongs to. */
export interface CompletionIdentity {
  id: string;
  created: number;
  model: string;
  /** Seeds the tool-call ids, so one call keeps one id. */
  key: string;
}

/** One thing a Gemini part says, in OpenAI's terms; parts Gemini only sends for other features are skipped. */
export type MessagePiece = { kind: 'content'; text: string } | { kind: 'reasoning'; text: string } | CallPiece;

export type CallPiece = { kind: 'call'; name: string; arguments: string; thoughtSignature?: string };

const CONTENT_FILTER_REASONS = new Set([
  'SAFETY',
  'RECITATION',
  'BLOCKLIST',
  'PROHIBITED_CONTENT',
  'SPII',
  'LANGUAGE',
  'IMAGE_SAFETY',
  'IMAGE_PROHIBITED_CONTENT',
  'IMAGE_RECITATION',
]);

export function identify(response: GeminiResponse, upstreamModel: string): CompletionIdentity {
  // Gemini's response id becomes ours; without one, a random id keeps tool-call ids unique.
  const key = response.responseId?.replace(/[^A-Za-z0-9]/g, '') || newId('');
  return {
    id: `chatcmpl-${key}`,
    created: Math.floor(Date.now() / 1000),
    model: response.modelVersion ?? upstreamModel,
    key,
  };
}

/**
 * Gemini has no "tool call" finish reason: a turn that called a function ends with STOP. Reasons without an
 * OpenAI twin (OTHER, MALFORMED_FUNCTION_CALL, …) end the turn as `stop`.
 */
export function finishReasonOf(reason: string, calledFunction: boolean): FinishReason {
  if (reason === 'STOP') return calledFunction ? 'tool_calls' : 'stop';
  if (reason === 'MAX_TOKENS') return 'length';
  return CONTENT_FILTER_REASONS.has(reason) ? 'content_filter' : 'stop';
}

export function messagePieces(parts: GeminiPart[] | undefined): MessagePiece[] {
  return (parts ?? []).flatMap((part): MessagePiece[] => {
    if (part.functionCall) {
      const { name, args } = part.functionCall;
      return [{ kind: 'call', name, arguments: JSON.stringify(args ?? {}), thoughtSignature: part.thoughtSignature }];
    }
    if (typeof part.text !== 'string' || part.text === '') return [];
    return [{ kind: part.thought ? 'reasoning' : 'content', text: part.text }];
  });
}

/** A whole `generateContent` answer as a chat completion; thought summaries go out as `reasoning_content`. */
export function toChatCompletion(response: GeminiResponse, identity: CompletionIdentity): ChatCompletion {
  const candidates = response.candidates ?? [];
  const choices =
    candidates.length === 0 && response.promptFeedback?.blockReason
      ? [blockedPromptChoice()]
      : candidates.map((candidate, position) => toChoice(candidate, candidate.index ?? position, identity));
  const usage = toOpenAiUsage(response.usageMetadata);
  return {
    id: identity.id,
    object: 'chat.completion',
    created: identity.created,
    model: identity.model,
    choices,
    ...(usage ? { usage } : {}),
  };
}

function toChoice(
  candidate: GeminiCandidate,
  index: number,
  identity: CompletionIdentity,
): ChatCompletion['choices'][number] {
  const pieces = messagePieces(candidate.content?.parts);
  const text = (kind: 'content' | 'reasoning') =>
    pieces.map((piece) => (piece.kind === kind ? piece.text : '')).join('');
  const toolCalls: ToolCall[] = pieces
    .filter((piece): piece is CallPiece => piece.kind === 'call')
    .map((call, n) => ({
      id: toolCallId(identity.key, index, n, call.thoughtSignature),
      type: 'function',
      function: { name: call.name, arguments: call.arguments },
    }));
  const content = text('content');
  const reasoning = text('reasoning');
  return {
    index,
    message: {
      role: 'assistant',
      content: content || null,
      // Required by OpenAI's schema (nullable); Gemini's blocks are content_filter finishes, with no refusal text.
      refusal: null,
      ...(reasoning ? { reasoning_content: reasoning } : {}),
      ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
    },
    logprobs: null,
    finish_reason: candidate.finishReason ? finishReasonOf(candidate.finishReason, toolCalls.length > 0) : null,
  };
}

/** Gemini refuses a blocked prompt with no candidates at all; OpenAI clients expect one filtered choice. */
function blockedPromptChoice(): ChatCompletion['choices'][number] {
  return {
    index: 0,
    message: { role: 'assistant', content: null, refusal: null },
    logprobs: null,
    finish_reason: 'content_filter',
  };
}

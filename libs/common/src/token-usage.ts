import type { Usage } from './openai/chat.types';

/**
 * Token counts for one request, and where they came from: `provider` when the upstream reported them,
 * `estimated` when the gateway had to count for itself (a stream cut short before its usage chunk).
 */
export interface TokenUsage {
  promptTokens: number;
  /** Prompt tokens served from the provider's prompt cache (a subset of `promptTokens`). */
  cachedTokens: number;
  completionTokens: number;
  /** Hidden reasoning tokens (a subset of `completionTokens`). */
  reasoningTokens: number;
  source: 'provider' | 'estimated';
}

/** The usage an OpenAI-format response (or usage chunk) reports. */
export function providerUsage(usage: Pick<Usage, 'prompt_tokens'> & Partial<Usage>): TokenUsage {
  return {
    promptTokens: usage.prompt_tokens ?? 0,
    cachedTokens: usage.prompt_tokens_details?.cached_tokens ?? 0,
    completionTokens: usage.completion_tokens ?? 0,
    reasoningTokens: usage.completion_tokens_details?.reasoning_tokens ?? 0,
    source: 'provider',
  };
}

/** About four characters per token, OpenAI's rule of thumb for English text. */
const CHARS_PER_TOKEN = 4;

/**
 * A rough count for a stream that ended (client abort, upstream failure) before the provider reported
 * usage: the characters of the prompt's text and of what was streamed, at ~4 per token. Marked
 * `estimated`; budgets never charge by it (they charge the reserved maximum instead).
 */
export function estimatedUsage(promptChars: number, completionChars: number): TokenUsage {
  return {
    promptTokens: Math.ceil(promptChars / CHARS_PER_TOKEN),
    cachedTokens: 0,
    completionTokens: Math.ceil(completionChars / CHARS_PER_TOKEN),
    reasoningTokens: 0,
    source: 'estimated',
  };
}

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

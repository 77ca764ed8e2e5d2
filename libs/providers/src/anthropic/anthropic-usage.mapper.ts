import type { Usage } from '@app/common';
import type { AnthropicUsage } from './anthropic.types';

/**
 * Anthropic counts cache reads and cache writes apart from `input_tokens`; OpenAI's `prompt_tokens` is every
 * input token, with the cache hits repeated in `cached_tokens`. Summing keeps cost and quota honest.
 */
export function toOpenAiUsage(usage: AnthropicUsage): Usage {
  const cacheRead = usage.cache_read_input_tokens ?? 0;
  const promptTokens = (usage.input_tokens ?? 0) + cacheRead + (usage.cache_creation_input_tokens ?? 0);
  const completionTokens = usage.output_tokens ?? 0;
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: cacheRead },
  };
}

/**
 * Folds a `message_delta` usage into the running one. Its counters are cumulative totals and absent or null
 * when unchanged, so present values overwrite and are never added (as the Anthropic SDK does).
 */
export function accumulateUsage(current: AnthropicUsage, update: AnthropicUsage | undefined): AnthropicUsage {
  const next = { ...current };
  for (const key of USAGE_COUNTERS) {
    const value = update?.[key];
    if (typeof value === 'number') next[key] = value;
  }
  return next;
}

const USAGE_COUNTERS = ['input_tokens', 'output_tokens', 'cache_creation_input_tokens', 'cache_read_input_tokens'] as const;

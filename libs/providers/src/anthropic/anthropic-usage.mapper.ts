import { sumTokenCounts, Usage } from '@app/common';
import type { AnthropicUsage } from './anthropic.types';

/**
 * Anthropic counts cache reads and cache writes apart from `input_tokens`; OpenAI's `prompt_tokens` is every
 * input token, with the cache hits repeated in `cached_tokens`. Summing keeps cost and quota honest. The sums
 * keep a bad counter visible to the gateway's usage check (`providerUsage`), and so does a missing
 * `input_tokens` or `output_tokens`, which Anthropic always sends; the cache counters may be absent.
 */
export function toOpenAiUsage(usage: AnthropicUsage): Usage {
  const cacheRead = usage.cache_read_input_tokens;
  const promptTokens = sumTokenCounts(usage.input_tokens ?? Number.NaN, cacheRead, usage.cache_creation_input_tokens);
  const completionTokens = sumTokenCounts(usage.output_tokens ?? Number.NaN);
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: cacheRead ?? 0 },
  };
}

/**
 * Folds a `message_delta` usage into the running one. Its counters are cumulative totals and absent or null
 * when unchanged, so present values overwrite and are never added (as the Anthropic SDK does). A present value
 * that is not a number overwrites too: skipping it would leave a stale count that looks valid.
 */
export function accumulateUsage(current: AnthropicUsage, update: AnthropicUsage | undefined): AnthropicUsage {
  const next = { ...current };
  for (const key of USAGE_COUNTERS) {
    const value = update?.[key];
    if (value !== undefined && value !== null) next[key] = value;
  }
  return next;
}

const USAGE_COUNTERS = [
  'input_tokens',
  'output_tokens',
  'cache_creation_input_tokens',
  'cache_read_input_tokens',
] as const;

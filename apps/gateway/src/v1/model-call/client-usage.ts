import type { EmbeddingsResponse, TokenUsage, Usage } from '@app/common';

/**
 * The `usage` a client's answer carries when the upstream's report cannot be shown as it came. A report the
 * gateway had to correct (`providerUsage` marked it `clamped`: a count that is a string, fractional, negative or
 * missing, or the NaN a translator's sum makes of a bad counter, which JSON writes as null) would break strict
 * clients, which OpenAI's spec lets expect integer counts; the client gets the corrected counts instead, the
 * ones its request is recorded with (and marked `clamped` there).
 */
export function correctedChatUsage(usage: TokenUsage): Usage {
  return {
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    total_tokens: usage.promptTokens + usage.completionTokens,
    prompt_tokens_details: { cached_tokens: usage.cachedTokens },
    completion_tokens_details: { reasoning_tokens: usage.reasoningTokens },
  };
}

/**
 * An embeddings answer's `usage`, which OpenAI's spec requires: the corrected counts of a `clamped` report, and
 * the gateway's own count when the upstream sent none (recorded as `estimated`).
 */
export function correctedEmbeddingsUsage(usage: TokenUsage): EmbeddingsResponse['usage'] {
  return { prompt_tokens: usage.promptTokens, total_tokens: usage.promptTokens + usage.completionTokens };
}

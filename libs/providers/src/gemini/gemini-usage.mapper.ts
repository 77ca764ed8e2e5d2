import { sumTokenCounts, Usage } from '@app/common';
import type { GeminiUsageMetadata } from './gemini.types';

/**
 * Gemini's token counts in OpenAI's terms. `candidatesTokenCount` leaves out thinking, which OpenAI counts
 * as completion (and bills as output), so thoughts are added to the completion and reported as reasoning.
 * Gemini leaves out counts that are zero, so an absent count is 0; the sum keeps a bad one visible to the
 * gateway's usage check (`providerUsage`).
 */
export function toOpenAiUsage(metadata: GeminiUsageMetadata | undefined): Usage | undefined {
  if (!metadata) return undefined;
  const prompt = metadata.promptTokenCount ?? 0;
  const reasoning = metadata.thoughtsTokenCount ?? 0;
  const completion = sumTokenCounts(metadata.candidatesTokenCount, reasoning);
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: metadata.totalTokenCount ?? prompt + completion,
    prompt_tokens_details: { cached_tokens: metadata.cachedContentTokenCount ?? 0 },
    completion_tokens_details: { reasoning_tokens: reasoning },
  };
}

import type { Usage } from '@app/common';
import type { MessagesUsage } from './messages.types';

/**
 * Chat usage in Anthropic's terms: Anthropic's `input_tokens` excludes cache reads, which chat counts inside
 * `prompt_tokens` and repeats in `cached_tokens`. Chat reports no cache writes, so those are 0. No usage
 * (a stream that ended without its usage chunk) is all zeros.
 */
export function messagesUsage(usage: Usage | null | undefined): MessagesUsage {
  const cached = usage?.prompt_tokens_details?.cached_tokens ?? 0;
  return {
    input_tokens: Math.max(0, (usage?.prompt_tokens ?? 0) - cached),
    output_tokens: usage?.completion_tokens ?? 0,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: cached,
  };
}

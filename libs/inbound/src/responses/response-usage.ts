import type { Usage } from '@app/common';
import type { ResponseUsage } from './responses.types';

/** Chat usage as Responses usage; a stream that ended without usage counts 0 (every field is required). */
export function responseUsage(usage: Usage | null | undefined): ResponseUsage {
  const input = usage?.prompt_tokens ?? 0;
  const output = usage?.completion_tokens ?? 0;
  return {
    input_tokens: input,
    input_tokens_details: {
      cached_tokens: numberOr0(usage?.prompt_tokens_details?.cached_tokens),
      cache_write_tokens: numberOr0(usage?.prompt_tokens_details?.cache_write_tokens),
    },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: numberOr0(usage?.completion_tokens_details?.reasoning_tokens) },
    total_tokens: usage?.total_tokens ?? input + output,
  };
}

function numberOr0(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}

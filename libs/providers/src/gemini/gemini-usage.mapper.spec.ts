import { providerUsage } from '@app/common';
import { toOpenAiUsage } from './gemini-usage.mapper';
import type { GeminiUsageMetadata } from './gemini.types';

describe('toOpenAiUsage', () => {
  it('counts thinking as completion and reports it and cached input in the details', () => {
    expect(
      toOpenAiUsage({
        promptTokenCount: 57,
        candidatesTokenCount: 9,
        thoughtsTokenCount: 40,
        cachedContentTokenCount: 32,
        totalTokenCount: 106,
      }),
    ).toEqual({
      prompt_tokens: 57,
      completion_tokens: 49,
      total_tokens: 106,
      prompt_tokens_details: { cached_tokens: 32 },
      completion_tokens_details: { reasoning_tokens: 40 },
    });
  });

  it('sums the total when Gemini leaves it out, and zeroes missing counts', () => {
    expect(toOpenAiUsage({ promptTokenCount: 10, candidatesTokenCount: 5 })).toMatchObject({
      prompt_tokens: 10,
      completion_tokens: 5,
      total_tokens: 15,
    });
    expect(toOpenAiUsage({ promptTokenCount: 8 })).toMatchObject({
      prompt_tokens: 8,
      completion_tokens: 0,
      total_tokens: 8,
    });
  });

  it('leaves a bad count visible to the usage check, never summed away', () => {
    const broken = { promptTokenCount: 10, candidatesTokenCount: -40, thoughtsTokenCount: 40 };
    expect(providerUsage(toOpenAiUsage(broken))?.source).toBe('clamped');
    const text = { promptTokenCount: 10, candidatesTokenCount: '5' } as unknown as GeminiUsageMetadata;
    expect(providerUsage(toOpenAiUsage(text))?.source).toBe('clamped');
  });

  it('gives nothing when Gemini sent no usage', () => {
    expect(toOpenAiUsage(undefined)).toBeUndefined();
  });
});

import { providerUsage } from '@app/common';
import { accumulateUsage, toOpenAiUsage } from './anthropic-usage.mapper';
import type { AnthropicUsage } from './anthropic.types';

describe('toOpenAiUsage', () => {
  it('counts cache reads and writes as prompt tokens and reports the reads as cached', () => {
    expect(
      toOpenAiUsage({
        input_tokens: 12,
        cache_read_input_tokens: 410,
        cache_creation_input_tokens: 30,
        output_tokens: 15,
      }),
    ).toEqual({
      prompt_tokens: 452,
      completion_tokens: 15,
      total_tokens: 467,
      prompt_tokens_details: { cached_tokens: 410 },
    });
  });

  it('treats absent and null counters as zero', () => {
    expect(toOpenAiUsage({ input_tokens: 5, output_tokens: 2, cache_read_input_tokens: null })).toEqual({
      prompt_tokens: 5,
      completion_tokens: 2,
      total_tokens: 7,
      prompt_tokens_details: { cached_tokens: 0 },
    });
  });

  it('leaves a bad or missing counter visible to the usage check, never summed away', () => {
    const broken: AnthropicUsage[] = [
      { input_tokens: 1_000, cache_read_input_tokens: -1_000, output_tokens: 5 },
      { input_tokens: '5', output_tokens: 2 } as unknown as AnthropicUsage,
      { input_tokens: 5, output_tokens: 2.5 },
      { output_tokens: 2 },
      { input_tokens: 5 },
    ];
    for (const usage of broken) expect(providerUsage(toOpenAiUsage(usage))?.source).toBe('clamped');
    expect(providerUsage(toOpenAiUsage({ input_tokens: 5, output_tokens: 2 }))?.source).toBe('provider');
  });
});

describe('accumulateUsage', () => {
  it('overwrites with the cumulative counters a message_delta carries and keeps the ones it leaves out', () => {
    const start = { input_tokens: 412, cache_read_input_tokens: 2048, output_tokens: 1 };
    expect(accumulateUsage(start, { output_tokens: 71, cache_read_input_tokens: null })).toEqual({
      input_tokens: 412,
      cache_read_input_tokens: 2048,
      output_tokens: 71,
    });
    expect(accumulateUsage(start, { input_tokens: 412, output_tokens: 71 })).toEqual({
      input_tokens: 412,
      cache_read_input_tokens: 2048,
      output_tokens: 71,
    });
    expect(accumulateUsage(start, undefined)).toEqual(start);
  });

  it('takes a bad counter too, so the stale one before it is not charged as if valid', () => {
    const start = { input_tokens: 412, output_tokens: 1 };
    const update = { output_tokens: 'NaN' } as unknown as AnthropicUsage;
    expect(providerUsage(toOpenAiUsage(accumulateUsage(start, update)))?.source).toBe('clamped');
  });
});

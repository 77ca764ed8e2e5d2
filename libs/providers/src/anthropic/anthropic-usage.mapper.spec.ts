import { accumulateUsage, toOpenAiUsage } from './anthropic-usage.mapper';

describe('toOpenAiUsage', () => {
  it('counts cache reads and writes as prompt tokens and reports the reads as cached', () => {
    expect(toOpenAiUsage({ input_tokens: 12, cache_read_input_tokens: 410, cache_creation_input_tokens: 30, output_tokens: 15 })).toEqual({
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
});

describe('accumulateUsage', () => {
  it('overwrites with the cumulative counters a message_delta carries and keeps the ones it leaves out', () => {
    const start = { input_tokens: 412, cache_read_input_tokens: 2048, output_tokens: 1 };
    expect(accumulateUsage(start, { output_tokens: 71, cache_read_input_tokens: null })).toEqual({ input_tokens: 412, cache_read_input_tokens: 2048, output_tokens: 71 });
    expect(accumulateUsage(start, { input_tokens: 412, output_tokens: 71 })).toEqual({ input_tokens: 412, cache_read_input_tokens: 2048, output_tokens: 71 });
    expect(accumulateUsage(start, undefined)).toEqual(start);
  });
});

import { estimatedUsage, MAX_USAGE_TOKENS, providerUsage, sumTokenCounts } from './token-usage';

describe('providerUsage', () => {
  it('takes a valid report as it is', () => {
    expect(
      providerUsage({
        prompt_tokens: 1_200,
        completion_tokens: 300,
        total_tokens: 1_500,
        prompt_tokens_details: { cached_tokens: 1_024, audio_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 128 },
      }),
    ).toEqual({
      promptTokens: 1_200,
      cachedTokens: 1_024,
      completionTokens: 300,
      reasoningTokens: 128,
      source: 'provider',
    });
  });

  it('reads an embeddings report (no completion count) from its total', () => {
    expect(providerUsage({ prompt_tokens: 8, total_tokens: 8 })).toEqual({
      promptTokens: 8,
      cachedTokens: 0,
      completionTokens: 0,
      reasoningTokens: 0,
      source: 'provider',
    });
  });

  it('treats absent or null details as zero, not as a broken report', () => {
    expect(providerUsage({ prompt_tokens: 5, completion_tokens: 2, prompt_tokens_details: null })?.source).toBe(
      'provider',
    );
  });

  it('gives nothing when there is no report', () => {
    for (const reported of [undefined, null, 'usage', 42, [1, 2]]) expect(providerUsage(reported)).toBeUndefined();
  });

  it.each([
    ['negative', { prompt_tokens: -1_000_000, completion_tokens: 5 }, [0, 5]],
    ['fractional', { prompt_tokens: 10.5, completion_tokens: 3.25 }, [11, 4]],
    ['NaN', { prompt_tokens: Number.NaN, completion_tokens: 1 }, [0, 1]],
    ['NaN as a string', { prompt_tokens: 'NaN', completion_tokens: '7' }, [0, 0]],
    ['a numeric string', { prompt_tokens: '12', completion_tokens: 3 }, [0, 3]],
    ['null', { prompt_tokens: null, completion_tokens: 3 }, [0, 3]],
    [
      'absurd',
      { prompt_tokens: 1e12, completion_tokens: Number.POSITIVE_INFINITY },
      [MAX_USAGE_TOKENS, MAX_USAGE_TOKENS],
    ],
    ['partial: no completion count and no total', { prompt_tokens: 9 }, [9, 0]],
    ['partial: no prompt count', { completion_tokens: 9, total_tokens: 9 }, [0, 9]],
    ['a total below the prompt', { prompt_tokens: 9, total_tokens: 4 }, [9, 0]],
  ])('corrects a report (%s) and marks it clamped', (_case, reported, [prompt, completion]) => {
    expect(providerUsage(reported)).toMatchObject({
      promptTokens: prompt,
      completionTokens: completion,
      source: 'clamped',
    });
  });

  it('keeps the parts within their whole: cached within prompt, reasoning within completion', () => {
    expect(
      providerUsage({
        prompt_tokens: 10,
        completion_tokens: 4,
        prompt_tokens_details: { cached_tokens: 50 },
        completion_tokens_details: { reasoning_tokens: 9 },
      }),
    ).toEqual({ promptTokens: 10, cachedTokens: 10, completionTokens: 4, reasoningTokens: 4, source: 'clamped' });
    expect(
      providerUsage({ prompt_tokens: 10, completion_tokens: 4, prompt_tokens_details: { cached_tokens: -3 } }),
    ).toMatchObject({ cachedTokens: 0, source: 'clamped' });
  });

  it('accepts a count at the cap and refuses one above it', () => {
    expect(providerUsage({ prompt_tokens: MAX_USAGE_TOKENS, completion_tokens: 0 })?.source).toBe('provider');
    expect(providerUsage({ prompt_tokens: MAX_USAGE_TOKENS + 1, completion_tokens: 0 })).toMatchObject({
      promptTokens: MAX_USAGE_TOKENS,
      source: 'clamped',
    });
  });

  it('always yields non-negative integers within the cap, whatever it is given', () => {
    const junk = [-1, 0.5, 1e300, -Infinity, Number.NaN, '1', true, {}, [], null, undefined, 2 ** 53 + 2];
    for (const a of junk) {
      for (const b of junk) {
        const usage = providerUsage({
          prompt_tokens: a,
          completion_tokens: b,
          total_tokens: a,
          prompt_tokens_details: { cached_tokens: b },
          completion_tokens_details: { reasoning_tokens: a },
        })!;
        for (const value of [usage.promptTokens, usage.cachedTokens, usage.completionTokens, usage.reasoningTokens]) {
          expect(Number.isInteger(value) && value >= 0 && value <= MAX_USAGE_TOKENS).toBe(true);
        }
        expect(usage.cachedTokens).toBeLessThanOrEqual(usage.promptTokens);
        expect(usage.reasoningTokens).toBeLessThanOrEqual(usage.completionTokens);
      }
    }
  });
});

describe('sumTokenCounts', () => {
  it('adds counts, an absent one as zero', () => {
    expect(sumTokenCounts(12, 410, 30)).toBe(452);
    expect(sumTokenCounts(5, undefined, null)).toBe(5);
    expect(sumTokenCounts()).toBe(0);
  });

  it('lets no bad count disappear into the sum', () => {
    expect(sumTokenCounts(1_000, -1_000)).toBeNaN();
    expect(sumTokenCounts(5, '3')).toBeNaN();
    expect(sumTokenCounts(5, 0.5)).toBeNaN();
    expect(providerUsage({ prompt_tokens: sumTokenCounts(1_000, -1_000), completion_tokens: 1 })?.source).toBe(
      'clamped',
    );
  });
});

describe('estimatedUsage', () => {
  it('counts about four characters per token, token ids one each, within the cap', () => {
    expect(estimatedUsage(10, 3)).toEqual({
      promptTokens: 3,
      cachedTokens: 0,
      completionTokens: 1,
      reasoningTokens: 0,
      source: 'estimated',
    });
    expect(estimatedUsage(10, 0, 7).promptTokens).toBe(3 + 7);
    expect(estimatedUsage(Number.MAX_SAFE_INTEGER, 0).promptTokens).toBe(MAX_USAGE_TOKENS);
  });
});

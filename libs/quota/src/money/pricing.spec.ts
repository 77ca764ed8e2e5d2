import { isMicroUsdAmount, PricePoint } from '@app/common';
import { formatUsd, microsToUsd, usdToMicros } from './micros';
import { maxCostMicros, priceAt, usageCostMicros } from './pricing';

const point = (from: string | null, input: number, output: number, cached: number | null = null): PricePoint => ({
  effectiveFrom: from === null ? null : new Date(from),
  inputMicrosPerMtok: input,
  outputMicrosPerMtok: output,
  cachedInputMicrosPerMtok: cached,
});

describe('micro-USD amounts', () => {
  it('converts decimal USD exactly, from text and from numbers', () => {
    expect(usdToMicros('12.5')).toBe(12_500_000n);
    expect(usdToMicros('0.000001')).toBe(1n);
    expect(usdToMicros(0.1 + 0.2)).toBe(300_000n);
    expect(usdToMicros(1234.567891)).toBe(1_234_567_891n);
    expect(microsToUsd(8_800n)).toBe(0.0088);
    expect(formatUsd(12_500_000n)).toBe('$12.5');
  });

  it('rejects amounts finer than a micro-USD, negative or not numbers', () => {
    expect(isMicroUsdAmount(0.0000001)).toBe(false);
    expect(isMicroUsdAmount(-1)).toBe(false);
    expect(isMicroUsdAmount(Number.NaN)).toBe(false);
    expect(() => usdToMicros('1.2345678')).toThrow(RangeError);
    expect(() => usdToMicros('1e3')).toThrow(RangeError);
  });
});

describe('pricing', () => {
  // gpt-4.1-mini-like: $0.40 in, $1.60 out, $0.10 cached, per million tokens.
  const mini = point(null, 400_000, 1_600_000, 100_000);

  it('charges input, cached input and output at their own prices, in integer micro-USD', () => {
    expect(usageCostMicros(mini, { promptTokens: 1_000, cachedTokens: 0, completionTokens: 500 })).toBe(400n + 800n);
    expect(usageCostMicros(mini, { promptTokens: 1_000, cachedTokens: 600, completionTokens: 0 })).toBe(160n + 60n);
    // Without a cached price, cached tokens cost the input price.
    expect(
      usageCostMicros(point(null, 400_000, 0), { promptTokens: 1_000, cachedTokens: 600, completionTokens: 0 }),
    ).toBe(400n);
  });

  it('rounds a fraction of a micro-USD up, never down', () => {
    expect(usageCostMicros(mini, { promptTokens: 1, cachedTokens: 0, completionTokens: 0 })).toBe(1n);
    expect(usageCostMicros(mini, { promptTokens: 0, cachedTokens: 0, completionTokens: 0 })).toBe(0n);
  });

  it('bounds a request by its whole prompt uncached plus the full output allowance', () => {
    expect(maxCostMicros(mini, 10_000, 4_096)).toBe(4_000n + 6_554n);
  });

  it('picks the price in force at the given time, so later price changes leave history alone', () => {
    const schedule = [point(null, 1, 1), point('2025-06-01T00:00:00Z', 2, 2), point('2026-01-01T00:00:00Z', 3, 3)];
    expect(priceAt(schedule, new Date('2025-05-31T23:59:59Z'))?.inputMicrosPerMtok).toBe(1);
    expect(priceAt(schedule, new Date('2025-06-01T00:00:00Z'))?.inputMicrosPerMtok).toBe(2);
    expect(priceAt(schedule, new Date('2027-01-01T00:00:00Z'))?.inputMicrosPerMtok).toBe(3);
    expect(priceAt([point('2026-01-01T00:00:00Z', 3, 3)], new Date('2025-01-01T00:00:00Z'))).toBeNull();
    expect(priceAt(undefined, new Date())).toBeNull();
  });
});

import type { PricePoint, PriceSchedule, TokenUsage } from '@app/common';

/** Prices are micro-USD per million tokens: a token count times a price is pico-USD. */
const PICOS_PER_MICRO = 1_000_000n;

/** The price in force at `at`, or null when the schedule has none (unpriced, or every point is later). */
export function priceAt(schedule: PriceSchedule | undefined, at: Date): PricePoint | null {
  let current: PricePoint | null = null;
  for (const point of schedule ?? []) {
    if (point.effectiveFrom === null || point.effectiveFrom <= at) current = point;
  }
  return current;
}

/**
 * What a request cost, in micro-USD, rounded up (a fraction of a micro-USD is charged, never dropped).
 * Cached prompt tokens cost the cached price when there is one.
 */
export function usageCostMicros(
  price: PricePoint,
  usage: Pick<TokenUsage, 'promptTokens' | 'cachedTokens' | 'completionTokens'>,
): bigint {
  const cached = BigInt(Math.min(usage.cachedTokens, usage.promptTokens));
  const uncached = BigInt(usage.promptTokens) - cached;
  const picos =
    uncached * BigInt(price.inputMicrosPerMtok) +
    cached * BigInt(price.cachedInputMicrosPerMtok ?? price.inputMicrosPerMtok) +
    BigInt(usage.completionTokens) * BigInt(price.outputMicrosPerMtok);
  return ceilDiv(picos, PICOS_PER_MICRO);
}

/** The most a request can cost: every prompt token uncached, and the whole output allowance used. */
export function maxCostMicros(price: PricePoint, promptTokens: number, outputTokens: number): bigint {
  return usageCostMicros(price, { promptTokens, cachedTokens: 0, completionTokens: outputTokens });
}

/**
 * What `images` images of `size` cost at an image model's price: its price for that size, else its default
 * (a request without a size, too), times the count. Image models are priced per image, never by tokens.
 */
export function imageCostMicros(price: PricePoint, size: string | null | undefined, images: number): bigint {
  if (!price.perImage) throw new Error('an image cost needs a per-image price');
  const { bySize } = price.perImage;
  const each = size && Object.hasOwn(bySize, size) ? bySize[size] : price.perImage.default;
  return BigInt(each) * BigInt(images);
}

function ceilDiv(value: bigint, divisor: bigint): bigint {
  return (value + divisor - 1n) / divisor;
}
